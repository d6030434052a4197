/** The batch-HTTP transport: the transport, its options, and its config entry. */
export type { BatchProcessed, HttpRetryOptions, HttpSpoolOptions, HttpStats, HttpTransportOptions } from './options.js';
export { httpTransportPlugin } from './plugin.js';
export { HttpTransport } from './transport.js';
export { registerHttpPreset } from './presets/index.js';
