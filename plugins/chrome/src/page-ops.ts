import { WorksiteError } from "@worksite/core";
import {
  frameHeader,
  frameIndent,
  frameUnavailable,
  isSensitiveField,
  MASK_CSS,
  REF,
  resolveRef,
  trimToBudget,
  type WalkResult,
  walkPage,
} from "@worksite/page";
import type { ChromeSession, ChromeTab } from "./session.js";

/*
 * The shared walker and ref store, run over CDP in an isolated world named by
 * the session: the page's own scripts can neither see the store nor the refs.
 */

interface Frame {
  id: string;
  url: string;
  depth: number;
}
interface FrameTree {
  frame: { id: string; url: string; urlFragment?: string };
  childFrames?: FrameTree[];
}

export async function frames(session: ChromeSession, tab: ChromeTab): Promise<Frame[]> {
  const { frameTree } = (await session.send(tab, "Page.getFrameTree")) as { frameTree: FrameTree };
  const out: Frame[] = [];
  const walk = (node: FrameTree, depth: number) => {
    out.push({ id: node.frame.id, url: node.frame.url + (node.frame.urlFragment ?? ""), depth });
    for (const child of node.childFrames ?? []) walk(child, depth + 1);
  };
  walk(frameTree, 0);
  tab.mainFrame = frameTree.frame.id;
  return out;
}

/** The tab's main-frame URL now: what rules match against at the moment of the action. */
export async function tabUrl(session: ChromeSession, tab: ChromeTab): Promise<string> {
  return (await frames(session, tab))[0]?.url ?? "about:blank";
}

/*
 * The isolated world's context id per frame, kept between calls: the world is made once per document, not per
 * call. A navigation drops it (Page.frameNavigated, guard.ts), and a context that is gone anyway (a navigation whose
 * event has not arrived yet) is made again once: an id is never reused, so a stale one fails rather than reaching
 * another document.
 */
function worldOf(session: ChromeSession, tab: ChromeTab, frameId: string, fresh = false): Promise<number> {
  const known = fresh ? undefined : tab.worlds.get(frameId);
  if (known !== undefined) return known;
  const made = session
    .send<{ executionContextId: number }>(tab, "Page.createIsolatedWorld", { frameId, worldName: session.world })
    .then((out) => out.executionContextId);
  tab.worlds.set(frameId, made);
  made.catch(() => {
    if (tab.worlds.get(frameId) === made) tab.worlds.delete(frameId);
  });
  return made;
}

const goneContext = (error: unknown) => /context|Execution context was destroyed/i.test(String(error));

/** Runs `fn(contextId)` in the frame's world; once more in a new world when the cached one has gone. */
async function withWorld<T>(
  session: ChromeSession,
  tab: ChromeTab,
  frameId: string,
  fn: (contextId: number) => Promise<T>,
): Promise<T> {
  try {
    return await fn(await worldOf(session, tab, frameId));
  } catch (error) {
    if (!goneContext(error)) throw error;
    return fn(await worldOf(session, tab, frameId, true));
  }
}

type Evaluated<T> = {
  result: { value?: T; objectId?: string; subtype?: string };
  exceptionDetails?: { text: string; exception?: { description?: string } };
};

/** Calls a self-contained function in the frame's isolated world with JSON arguments. */
export async function inWorld<T>(
  session: ChromeSession,
  tab: ChromeTab,
  frameId: string,
  // biome-ignore lint/suspicious/noExplicitAny: the function runs in the page (serialised), where its arguments are whatever JSON it was given
  fn: (...args: any[]) => T,
  ...args: unknown[]
): Promise<Awaited<T>> {
  const out = await withWorld(session, tab, frameId, (contextId) =>
    session.send<Evaluated<Awaited<T>>>(tab, "Runtime.evaluate", {
      expression: `(${fn.toString()})(...${JSON.stringify(args)})`,
      contextId,
      returnByValue: true,
      awaitPromise: true,
    }),
  );
  if (out.exceptionDetails) throw new Error(out.exceptionDetails.exception?.description ?? out.exceptionDetails.text);
  return out.result.value as Awaited<T>;
}

/** The main frame's id: it stays the same across the tab's navigations, so it is asked for once. */
export async function mainFrameId(session: ChromeSession, tab: ChromeTab): Promise<string> {
  if (tab.mainFrame) return tab.mainFrame;
  const [main] = await frames(session, tab);
  if (!main) throw new WorksiteError("tool-failed", `Tab ${tab.id} has no page.`);
  return main.id;
}

export async function snapshot(session: ChromeSession, tab: ChromeTab, budget: number) {
  const lines: string[] = [];
  let refs = 0;
  const list = await frames(session, tab);
  // The title is asked for alongside the main frame's walk, not after every frame's.
  const title = inWorld(session, tab, list[0]?.id ?? "", () => document.title).catch(() => "");
  for (const frame of list) {
    const indent = frameIndent(frame.depth);
    if (frame.depth > 0) lines.push(frameHeader(frame.depth, frame.url));
    let result: WalkResult;
    try {
      result = await inWorld(session, tab, frame.id, walkPage, {
        store: session.world,
        next: tab.nextRef,
        indent,
        maxOptions: 25,
      });
    } catch {
      lines.push(frameUnavailable(indent));
      continue;
    }
    tab.nextRef = result.next;
    for (const ref of result.refs) tab.refFrames.set(ref, frame.id);
    refs += result.refs.length;
    lines.push(...result.lines);
  }
  const live = new Set(list.map((f) => f.id));
  for (const [ref, frameId] of tab.refFrames) if (!live.has(frameId)) tab.refFrames.delete(ref);
  return { url: list[0]?.url ?? "about:blank", title: await title, refs, ...trimToBudget(lines, budget) };
}

export interface Resolved {
  objectId: string;
  frameId: string;
  sensitive: boolean;
}

const stale = (ref: string) =>
  new WorksiteError(
    "not-found",
    `Ref ${ref} is not on the page any more; take a new chrome.snapshot and use its refs.`,
  );

export async function resolve(session: ChromeSession, tab: ChromeTab, ref: string): Promise<Resolved> {
  if (!REF.test(ref))
    throw new WorksiteError("user", `"${ref}" is not a ref; refs look like e12 and come from chrome.snapshot.`);
  const frameId = tab.refFrames.get(ref);
  if (!frameId) throw stale(ref);
  const find = `(${resolveRef.toString()})(${JSON.stringify(session.world)}, ${JSON.stringify(ref)})`;
  // The element and whether it is a password, card or one-time-code field, asked for together.
  const [element, sensitive] = await withWorld(session, tab, frameId, (contextId) =>
    Promise.all([
      session.send<Evaluated<never>>(tab, "Runtime.evaluate", { expression: find, contextId }),
      session.send<Evaluated<boolean>>(tab, "Runtime.evaluate", {
        expression: `((el) => el !== null && (${isSensitiveField.toString()})(el))(${find})`,
        contextId,
        returnByValue: true,
      }),
    ]),
  ).catch(() => {
    throw stale(ref);
  });
  if (!element.result.objectId || element.result.subtype === "null") throw stale(ref);
  return { objectId: element.result.objectId, frameId, sensitive: sensitive.result.value === true };
}

/** Calls `fn(element, ...args)` on a resolved element. */
export async function callOn<T>(
  session: ChromeSession,
  tab: ChromeTab,
  objectId: string,
  // biome-ignore lint/suspicious/noExplicitAny: the function runs in the page (serialised) on a DOM element this process has no type for
  fn: (el: any, ...args: any[]) => unknown,
  ...args: unknown[]
): Promise<T> {
  const out = (await session.send(tab, "Runtime.callFunctionOn", {
    objectId,
    functionDeclaration: `function(...args) { return (${fn.toString()})(this, ...args); }`,
    arguments: args.map((value) => ({ value })),
    returnByValue: true,
    awaitPromise: true,
  })) as { result: { value?: T }; exceptionDetails?: { text: string } };
  if (out.exceptionDetails) throw new Error(out.exceptionDetails.text);
  return out.result.value as T;
}

/** Lets go of the element handle; nothing waits for it (commands on a session run in order). */
export function release(session: ChromeSession, tab: ChromeTab, el: Resolved) {
  session.send(tab, "Runtime.releaseObject", { objectId: el.objectId }).catch(() => {});
}

export async function click(session: ChromeSession, tab: ChromeTab, el: Resolved, button = "left", count = 1) {
  // Scroll and measure go together: the DOM domain answers a session's commands in the order they were sent.
  const [, box] = await Promise.all([
    session.send(tab, "DOM.scrollIntoViewIfNeeded", { objectId: el.objectId }).catch(() => {}),
    session.send<{ quads: number[][] }>(tab, "DOM.getContentQuads", { objectId: el.objectId }),
  ]);
  const q = box.quads[0];
  if (!q) throw new WorksiteError("tool-failed", "The element is not visible, so it cannot be clicked.");
  const x = (q[0]! + q[2]! + q[4]! + q[6]!) / 4;
  const y = (q[1]! + q[3]! + q[5]! + q[7]!) / 4;
  // The mouse events are sent together, as puppeteer's click does: the input domain dispatches them in order.
  const events: Promise<unknown>[] = [session.send(tab, "Input.dispatchMouseEvent", { type: "mouseMoved", x, y })];
  for (let i = 1; i <= count; i++) {
    events.push(
      session.send(tab, "Input.dispatchMouseEvent", { type: "mousePressed", x, y, button, clickCount: i }),
      session.send(tab, "Input.dispatchMouseEvent", { type: "mouseReleased", x, y, button, clickCount: i }),
    );
  }
  await Promise.all(events);
}

/** Replaces the field's value the way a person would: focus, select all, type. */
export async function typeInto(session: ChromeSession, tab: ChromeTab, el: Resolved, text: string) {
  await callOn(session, tab, el.objectId, (node: HTMLElement) => {
    node.focus();
    if (node instanceof HTMLInputElement || node instanceof HTMLTextAreaElement) node.select();
    else if (node.isContentEditable) document.getSelection()?.selectAllChildren(node);
  });
  if (text === "") await pressKey(session, tab, "Backspace");
  else await session.send(tab, "Input.insertText", { text });
}

const KEYS: Record<string, { code: string; keyCode: number; text?: string }> = {
  Enter: { code: "Enter", keyCode: 13, text: "\r" },
  Escape: { code: "Escape", keyCode: 27 },
  Tab: { code: "Tab", keyCode: 9 },
  Backspace: { code: "Backspace", keyCode: 8 },
  Delete: { code: "Delete", keyCode: 46 },
  ArrowUp: { code: "ArrowUp", keyCode: 38 },
  ArrowDown: { code: "ArrowDown", keyCode: 40 },
  ArrowLeft: { code: "ArrowLeft", keyCode: 37 },
  ArrowRight: { code: "ArrowRight", keyCode: 39 },
  Home: { code: "Home", keyCode: 36 },
  End: { code: "End", keyCode: 35 },
  PageUp: { code: "PageUp", keyCode: 33 },
  PageDown: { code: "PageDown", keyCode: 34 },
  Space: { code: "Space", keyCode: 32, text: " " },
};
const MODIFIERS: Record<string, number> = { Alt: 1, Control: 2, Meta: 4, Shift: 8 };

/** Presses a key or chord such as Enter, Escape or Control+A. */
export async function pressKey(session: ChromeSession, tab: ChromeTab, chord: string) {
  const parts = chord.split("+");
  const name = parts.pop() ?? "";
  let modifiers = 0;
  for (const m of parts) {
    const bit = MODIFIERS[m];
    if (bit === undefined) throw new WorksiteError("user", `Unknown modifier ${m}; use Alt, Control, Meta or Shift.`);
    modifiers |= bit;
  }
  const known = KEYS[name];
  if (!known && name.length !== 1)
    throw new WorksiteError(
      "user",
      `Unknown key ${name}; use a single character or one of ${Object.keys(KEYS).join(", ")}.`,
    );
  const key = known ? (name === "Space" ? " " : name) : name;
  const text = known ? known.text : modifiers & ~8 ? undefined : name;
  const keyCode = known ? known.keyCode : name.toUpperCase().charCodeAt(0);
  const code = known ? known.code : /[a-z]/i.test(name) ? `Key${name.toUpperCase()}` : "";
  const base = { key, code, windowsVirtualKeyCode: keyCode, modifiers };
  await session.send(tab, "Input.dispatchKeyEvent", {
    type: text ? "keyDown" : "rawKeyDown",
    ...base,
    ...(text ? { text } : {}),
  });
  await session.send(tab, "Input.dispatchKeyEvent", { type: "keyUp", ...base });
}

/** How a screenshot is encoded: the evidence after an action is a JPEG (see evidence in tools/common.ts). */
export type ShotFormat = { format: "png" } | { format: "jpeg"; quality: number };

/**
 * Puts the mask over card and one-time-code digits (once per document) and says which URL the page shows. With
 * `turn`, one turn of the page's event loop comes first, so it doubles as the action's page turn (guard.ts):
 * whatever the action queued has run, and a navigation it asked for has been announced, when this returns.
 * The mask is a constructed style sheet the document adopts, held by our own world: a page whose
 * Content-Security-Policy forbids inline styles refused the `<style>` element used before, even from our world,
 * and its card digits were captured as they are.
 */
export function maskPage(session: ChromeSession, tab: ChromeTab, frameId: string, turn = false): Promise<string> {
  return inWorld(
    session,
    tab,
    frameId,
    async (css: string, wait: boolean) => {
      if (wait) await new Promise((resolve) => setTimeout(resolve, 0));
      const world = globalThis as { worksiteMask?: CSSStyleSheet };
      if (!world.worksiteMask || !document.adoptedStyleSheets.includes(world.worksiteMask)) {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
        world.worksiteMask = sheet;
      }
      return location.href;
    },
    MASK_CSS,
    turn,
  );
}

/**
 * A screenshot with card and one-time-code digits disced while it is taken, and the URL of the page it shows
 * (read in the same round trip that puts the mask on; `masked` is that URL when the mask is already on).
 */
export async function capture(
  session: ChromeSession,
  tab: ChromeTab,
  shot: ShotFormat = { format: "png" },
  masked?: string,
): Promise<{ data: Buffer; url: string }> {
  const main = await mainFrameId(session, tab);
  const url = masked ?? (await maskPage(session, tab, main).catch(() => undefined));
  try {
    const { data } = await session.send<{ data: string }>(tab, "Page.captureScreenshot", shot);
    return { data: Buffer.from(data, "base64"), url: url ?? (await tabUrl(session, tab).catch(() => "")) };
  } finally {
    if (url !== undefined) unmask(session, tab, main);
  }
}

/** Takes the mask maskPage put on off again. Not waited for: the next command on this tab runs after it. */
export function unmask(session: ChromeSession, tab: ChromeTab, frameId: string): void {
  inWorld(session, tab, frameId, () => {
    const world = globalThis as { worksiteMask?: CSSStyleSheet };
    const sheet = world.worksiteMask;
    world.worksiteMask = undefined;
    if (sheet) document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
  }).catch(() => {});
}
