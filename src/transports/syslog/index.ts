/** The syslog transport: the transport, its options, and its config entry. */
export type { SyslogProtocol, SyslogStats, SyslogTlsOptions, SyslogTransportOptions } from './options.js';
export { syslogTransportPlugin } from './plugin.js';
export { SyslogTransport } from './transport.js';
