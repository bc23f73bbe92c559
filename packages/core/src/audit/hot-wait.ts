/**
 * Waits for `settled` with the event loop kept polling rather than asleep, for at most `capMs`.
 *
 * Why (issue 13 item 1, bench/gate/PROFILE.md): a write call waits for its decision's fdatasync in the thread
 * pool. Left to itself the event loop sleeps in epoll meanwhile, and on this machine kind a thread that slept
 * wakes ~100 µs late and then runs the rest of the call about twice as slowly (cold caches, an idle virtual CPU
 * woken). Chained `setImmediate`s keep each loop turn's poll at a zero timeout: the sync's completion is seen
 * at once, and I/O and timers still run in between, so nothing else is held up. The cost is one core busy for
 * as long as the sync takes, which the cap bounds; a slower disk (a loaded machine) then waits asleep as before.
 * Waits at the same time share one chain.
 */
export function hotWait<T>(settled: Promise<T>, capMs: number): Promise<T> {
  waiting++;
  hotUntil = Math.max(hotUntil, performance.now() + capMs);
  if (!polling) {
    polling = true;
    setImmediate(poll);
  }
  return settled.finally(() => {
    waiting--;
  });
}

let waiting = 0;
let hotUntil = 0;
let polling = false;

function poll(): void {
  if (waiting > 0 && performance.now() < hotUntil) setImmediate(poll);
  else polling = false;
}
