/**
 * The router's side of the transport contract, under registered symbols so no plugin
 * author sees it on the public types and copies of streamlog loaded twice (ESM and CJS)
 * still recognise each other's transports.
 */
/** Hands one record to a transport; never throws. */
export const acceptRecord: unique symbol = Symbol.for('streamlog.transport.accept');
/** Sets the one listener that hears the transport's settlements. */
export const attachListener: unique symbol = Symbol.for('streamlog.transport.attach');
/** Re-emits diagnostics made before anyone listened. */
export const replayReports: unique symbol = Symbol.for('streamlog.transport.replayReports');
/** Names a transport that has no id yet (config `id`, or the router's `type#index`). */
export const assignId: unique symbol = Symbol.for('streamlog.transport.assignId');
/** Gives a transport what the logger offers it: turning spooled lines back into records, the dead letter. */
export const attachServices: unique symbol = Symbol.for('streamlog.transport.attachServices');
/**
 * Marks a transport that holds a record only until it settles it and keeps no line of it past
 * that: records taken from a queue of lines reach it with lines that share one string with
 * their neighbours (see WaitingRecords), which a record kept for longer would keep alive.
 */
export const letsGoOfRecords: unique symbol = Symbol.for('streamlog.transport.letsGoOfRecords');
/**
 * Fails, by name, what a transport with no `giveUpSync` of its own still holds: the process
 * is ending, or a close gave up on it (see Transport's unsettled records).
 */
export const failHeld: unique symbol = Symbol.for('streamlog.transport.failHeld');
