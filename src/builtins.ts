import { lazyTransportPlugin } from './core/plugin/lazy-plugin.js';
import { registerFormatter, registerTransport } from './core/plugin/registry.js';
import { jsonFormatterPlugin } from './formatters/json.js';
import { prettyFormatterPlugin } from './formatters/pretty.js';
import { stableJsonFormatterPlugin } from './formatters/stable-json.js';
import { textFormatterPlugin } from './formatters/text.js';
import { loadHttp, loadSyslog, loadValidating } from './load-lazy.cjs';
import { consoleTransportPlugin } from './transports/console/index.js';
import { bufferedTransportPlugin } from './transports/buffered.js';
import { fileTransportPlugin } from './transports/file/index.js';
import { memoryTransportPlugin } from './transports/memory.js';

/** Built-ins register through the same door as users' plugins. */
registerFormatter('json', jsonFormatterPlugin);
registerFormatter('stable-json', stableJsonFormatterPlugin);
registerFormatter('text', textFormatterPlugin);
registerFormatter('pretty', prettyFormatterPlugin);
registerTransport('console', consoleTransportPlugin);
registerTransport('memory', memoryTransportPlugin);
registerTransport('file', fileTransportPlugin);
registerTransport('buffered', bufferedTransportPlugin);
// Loaded when a config first names them (their schema or their transport is asked for).
registerTransport(
  'validating',
  lazyTransportPlugin(() => loadValidating().validatingTransportPlugin),
);
registerTransport(
  'http',
  lazyTransportPlugin(() => loadHttp().httpTransportPlugin),
);
registerTransport(
  'syslog',
  lazyTransportPlugin(() => loadSyslog().syslogTransportPlugin),
);
