import { WorksiteError } from "@worksite/core";
import type { ElementHandle, Frame } from "puppeteer-core";
import type { BrowserSession } from "./session.js";
import type { Tab } from "./tab.js";
import { isSensitiveField, REF, resolveRef } from "@worksite/page";

export interface ResolvedRef {
  ref: string;
  frame: Frame;
  handle: ElementHandle<Element>;
  /** URL of the frame that owns the element: the call's target. */
  url: string;
  sensitive: boolean;
}

function stale(ref: string): WorksiteError {
  return new WorksiteError(
    "not-found",
    `Ref ${ref} is not on the page any more; take a new browser.snapshot and use its refs.`,
  );
}

/** URL of the frame that owns `ref`, without touching the page: what rules match against. */
export function refOwnerUrl(session: BrowserSession, ref: string | undefined): string {
  const tab = session.peek();
  if (!tab) return "about:blank";
  const frame = ref ? tab.refFrames.get(ref) : undefined;
  if (frame && !frame.detached) return frame.url();
  return tab.page.url();
}

export async function resolve(session: BrowserSession, tab: Tab, ref: string): Promise<ResolvedRef> {
  if (!REF.test(ref))
    throw new WorksiteError("user", `"${ref}" is not a ref; refs look like e12 and come from browser.snapshot.`);
  const frame = tab.refFrames.get(ref);
  if (!frame || frame.detached) throw stale(ref);
  const handle = await frame.evaluateHandle(resolveRef, session.store, ref).catch(() => undefined);
  const element = handle?.asElement() as ElementHandle<Element> | null | undefined;
  if (!element) {
    await handle?.dispose();
    throw stale(ref);
  }
  const sensitive = await element.evaluate(isSensitiveField);
  return { ref, frame, handle: element, url: frame.url(), sensitive };
}

/** Is the element behind `ref` a password, card or one-time-code field? Unknown refs are not. */
export async function refIsSensitive(session: BrowserSession, ref: string): Promise<boolean> {
  const tab = session.peek();
  if (!tab) return false;
  try {
    const resolved = await resolve(session, tab, ref);
    await resolved.handle.dispose();
    return resolved.sensitive;
  } catch {
    return false;
  }
}
