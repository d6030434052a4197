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
 * Fails, by name, what a transport with no `giveUpSync` of its own still holds: the process
 * is ending, or a close gave up on it (see Transport's unsettled records).
 */
export const failHeld: unique symbol = Symbol.for('streamlog.transport.failHeld');
/**
 * A wrapper took `settled` as the record its inner transport delivered by count, and the inner
 * one then failed it by name: `held` (what the wrapper forwarded and still holds) is the one
 * delivered, and `settled` is held again in its place, to be failed (see WrapperTransport).
 */
export const holdInstead: unique symbol = Symbol.for('streamlog.transport.holdInstead');
/** The limits a batch transport runs by, its defaults filled in (the docs' defaults are tested against them). */
export const batchSettings: unique symbol = Symbol.for('streamlog.transport.batchSettings');
