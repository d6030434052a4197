/**
 * While the process's exit path runs, the routers' events wait. A listener that calls
 * `process.exit()` there ends the process at once (Node is inside its 'exit' event), so a
 * `deliveryFailed` listener that exits took with it every target and every logger not yet
 * through its exit: their records were neither dead-lettered nor reported. Held, the events
 * reach their listeners once every logger has counted, dead-lettered or parked what it held.
 */
let holding = false;
const held: (() => void)[] = [];

/** Holds the events emitted from now on, until `releaseEvents()`. */
export function holdEvents(): void {
  holding = true;
}

/** Keeps `emit` for later when events are held (true), else leaves it to the caller (false). */
export function heldEvent(emit: () => void): boolean {
  if (!holding) return false;
  held.push(emit);
  return true;
}

/** Emits the held events, oldest first, and holds no more. */
export function releaseEvents(): void {
  holding = false;
  for (const emit of held.splice(0)) {
    try {
      emit();
    } catch {
      // An emitter guards its own listeners; the exit path goes on whatever one does.
    }
  }
}
