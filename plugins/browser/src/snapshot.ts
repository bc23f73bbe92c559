import type { Frame } from "puppeteer-core";
import { frameWaitMs, within } from "./frame-wait.js";
import type { BrowserSession } from "./session.js";
import type { Tab } from "./tab.js";
import { frameHeader, frameIndent, frameUnavailable, trimToBudget, walkPage, type WalkResult } from "@worksite/page";

export interface Snapshot {
  url: string;
  title: string;
  text: string;
  /** Lines left out to stay within the budget. */
  trimmed: number;
  refs: number;
}

function depthOf(frame: Frame): number {
  let depth = 0;
  for (let f = frame.parentFrame(); f; f = f.parentFrame()) depth++;
  return depth;
}

/**
 * Accessibility-tree text of every frame of the tab, main frame first; each
 * iframe's content follows under a header naming its URL, since that URL is
 * the origin its refs act on.
 */
export async function takeSnapshot(session: BrowserSession, tab: Tab, budget: number): Promise<Snapshot> {
  const lines: string[] = [];
  let refs = 0;
  for (const frame of tab.page.frames()) {
    if (frame.detached) continue;
    const depth = depthOf(frame);
    const indent = frameIndent(depth);
    if (depth > 0) lines.push(frameHeader(depth, frame.url()));
    let result: WalkResult;
    try {
      result = await within(
        frameWaitMs(frame, tab.page.mainFrame()),
        frame.evaluate(walkPage, { store: session.store, next: tab.nextRef, indent, maxOptions: 25 }),
      );
    } catch {
      lines.push(frameUnavailable(indent));
      continue;
    }
    tab.nextRef = result.next;
    for (const ref of result.refs) tab.refFrames.set(ref, frame);
    refs += result.refs.length;
    for (const l of result.lines) lines.push(l);
  }
  for (const [ref, frame] of tab.refFrames) if (frame.detached) tab.refFrames.delete(ref);

  const { text, trimmed } = trimToBudget(lines, budget);
  return {
    url: tab.page.url(),
    title: await tab.page.title().catch(() => ""),
    text,
    trimmed,
    refs,
  };
}
