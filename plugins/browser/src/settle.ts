import type { CDPSession, Page } from "puppeteer-core";

/**
 * The page's own DevTools connection (puppeteer's main-frame session). Page events the renderer
 * sends on it (a navigation requested) arrive in order with the replies to our own requests on it;
 * puppeteer keeps it on an internal method, as it keeps a frame's id on an internal field.
 */
export function pageClient(page: Page): CDPSession {
  return (page as unknown as { _client(): CDPSession })._client();
}

/** puppeteer keeps a frame's CDP id on an internal field; CDP events name frames by it. */
export function frameIdOf(frame: unknown): string | undefined {
  return (frame as { _id?: string })._id;
}

/**
 * One turn of the page's event loop, there and back. Whatever the action queued in the page (a
 * form submission, a `setTimeout(…, 0)` that sets `location`) has run when this returns, and the
 * navigation it asked for has been announced (Page.frameRequestedNavigation is sent by the
 * renderer before this reply, on the same connection). Rejects when the document went away
 * under it: a navigation is then under way.
 */
export async function pageTurn(page: Page, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      pageClient(page).send("Runtime.evaluate", {
        expression: "new Promise((resolve) => setTimeout(resolve, 0))",
        awaitPromise: true,
        returnByValue: true,
      }),
      // A page whose script never yields does not hold the call past its timeout.
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A waiter woken by events rather than a polling clock: `wait` resolves at the next `wake`, when
 * the deadline passes, or when the signal aborts, whichever comes first; callers loop on their condition.
 */
export interface Waker {
  wake(): void;
  wait(deadline: number, signal?: AbortSignal): Promise<void>;
}

export function createWaker(): Waker {
  const waiters = new Set<() => void>();
  return {
    wake() {
      for (const w of [...waiters]) w();
    },
    wait(deadline, signal) {
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          signal?.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
        waiters.add(done);
        signal?.addEventListener("abort", done, { once: true });
      });
    },
  };
}

/** Loops on `waker` until `ready()` is true, the deadline passes or the signal aborts; says whether it became ready. */
export async function waitFor(
  waker: Waker,
  ready: () => boolean,
  deadline: number,
  signal?: AbortSignal,
): Promise<boolean> {
  while (!ready()) {
    if (Date.now() >= deadline || signal?.aborted) return false;
    await waker.wait(deadline, signal);
  }
  return true;
}
