import type { Frame } from "puppeteer-core";

/**
 * A frame whose navigation the guard refused before it committed (its URL is
 * still empty) may never get a document to run in, and puppeteer would wait
 * for one forever. Other subframes get a generous limit; the main frame none.
 */
export function frameWaitMs(frame: Frame, main: Frame): number | undefined {
  if (frame === main) return undefined;
  return frame.url() === "" ? 1000 : 15_000;
}

/** `promise`, or a rejection once `ms` have passed (never, for `undefined`). */
export function within<T>(ms: number | undefined, promise: Promise<T>): Promise<T> {
  if (ms === undefined) return promise;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("frame did not answer")), ms);
  });
  promise.catch(() => {});
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
