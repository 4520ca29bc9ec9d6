/**
 * Heap measurement for the simulator's memory-per-node figure: V8's heap plus array buffers after
 * two forced collections, so the figure is live memory rather than garbage waiting to be swept.
 */

function exposedGc(): (() => void) | null {
  const g = (globalThis as { gc?: () => void }).gc;
  return typeof g === 'function' ? g : null;
}

/** `gc()` if the process was started with --expose-gc or the flag can still be set; else null. */
export async function loadGc(): Promise<(() => void) | null> {
  const existing = exposedGc();
  if (existing) return existing;
  try {
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}

/** Live heap in bytes (heapUsed + arrayBuffers), after collecting garbage when `gc` is available. */
export function liveHeapBytes(gc: (() => void) | null): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
