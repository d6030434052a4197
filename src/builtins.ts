import { lazyTransportPlugin } from './core/plugin/lazy-plugin.js';
import { registerBuiltInFormatter, registerBuiltInTransport } from './core/plugin/registry.js';
import { jsonFormatterPlugin } from './formatters/json.js';
import { prettyFormatterPlugin } from './formatters/pretty.js';
import { stableJsonFormatterPlugin } from './formatters/stable-json.js';
import { textFormatterPlugin } from './formatters/text.js';
import { loadHttp, loadSyslog, loadValidating } from './load-lazy.cjs';
import { consoleTransportPlugin } from './transports/console/index.js';
import { bufferedTransportPlugin } from './transports/buffered.js';
import { fileTransportPlugin } from './transports/file/index.js';
import { memoryTransportPlugin } from './transports/memory.js';

/** Built-ins register through the same door as users' plugins, where the name is still free. */
registerBuiltInFormatter('json', jsonFormatterPlugin);
registerBuiltInFormatter('stable-json', stableJsonFormatterPlugin);
registerBuiltInFormatter('text', textFormatterPlugin);
registerBuiltInFormatter('pretty', prettyFormatterPlugin);
registerBuiltInTransport('console', consoleTransportPlugin);
registerBuiltInTransport('memory', memoryTransportPlugin);
registerBuiltInTransport('file', fileTransportPlugin);
registerBuiltInTransport('buffered', bufferedTransportPlugin);
// Loaded when a config first names them (their schema or their transport is asked for).
registerBuiltInTransport(
  'validating',
  lazyTransportPlugin(() => loadValidating().validatingTransportPlugin),
);
registerBuiltInTransport(
  'http',
  lazyTransportPlugin(() => loadHttp().httpTransportPlugin),
);
registerBuiltInTransport(
  'syslog',
  lazyTransportPlugin(() => loadSyslog().syslogTransportPlugin),
);
