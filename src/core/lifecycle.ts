/**
 * Process-exit hook: whatever is still buffered is written synchronously when the process
 * exits, for every logger that has not been closed. Registered once, lazily.
 */
export interface ExitFlushable {
  flushSync(): void;
}

const live = new Set<ExitFlushable>();
let hooked = false;

function onExit(): void {
  for (const item of live) {
    try {
      item.flushSync();
    } catch {
      // Exit is no place to throw; the transport already counted its failure.
    }
  }
}

export function registerForExit(item: ExitFlushable): void {
  live.add(item);
  if (!hooked) {
    hooked = true;
    process.on('exit', onExit);
  }
}

export function unregisterForExit(item: ExitFlushable): void {
  live.delete(item);
}
