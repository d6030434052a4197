import { registerFormatter, registerTransport } from './core/plugin/registry.js';
import { jsonFormatterPlugin } from './formatters/json.js';
import { prettyFormatterPlugin } from './formatters/pretty.js';
import { stableJsonFormatterPlugin } from './formatters/stable-json.js';
import { textFormatterPlugin } from './formatters/text.js';
import { consoleTransportPlugin } from './transports/console/index.js';
import { bufferedTransportPlugin } from './transports/buffered.js';
import { fileTransportPlugin } from './transports/file/index.js';
import { httpTransportPlugin } from './transports/http/index.js';
import { syslogTransportPlugin } from './transports/syslog/index.js';
import { memoryTransportPlugin } from './transports/memory.js';
import { validatingTransportPlugin } from './transports/validating/index.js';

/** Built-ins register through the same door as users' plugins. */
registerFormatter('json', jsonFormatterPlugin);
registerFormatter('stable-json', stableJsonFormatterPlugin);
registerFormatter('text', textFormatterPlugin);
registerFormatter('pretty', prettyFormatterPlugin);
registerTransport('console', consoleTransportPlugin);
registerTransport('memory', memoryTransportPlugin);
registerTransport('file', fileTransportPlugin);
registerTransport('buffered', bufferedTransportPlugin);
registerTransport('validating', validatingTransportPlugin);
registerTransport('http', httpTransportPlugin);
registerTransport('syslog', syslogTransportPlugin);
