import type { Tier, ToolContext, ToolResult } from "@worksite/core";
import { namesOrigin, sensitiveKind } from "../sensitive-sites.js";
import { capture, frames, mainFrameId, maskPage, tabUrl, unmask } from "../page-ops.js";
import type { ChromeSession, ChromeTab } from "../session.js";

/**
 * The call's target: the URL of the frame that owns `ref` (else the tab's
 * page) as it is now, asked of Chrome at the moment of the call.
 */
export function liveTarget(session: ChromeSession, ctx: ToolContext, ref?: string): Promise<string> {
  // The gate asks for the target and then the floor with the same context, microseconds apart: one read serves both.
  let known = asked.get(ctx);
  if (!known) asked.set(ctx, (known = new Map()));
  const key = ref ?? "";
  let url = known.get(key);
  if (!url) known.set(key, (url = readTarget(session, ctx, ref)));
  return url;
}

/** The URLs read for a call's context (the gate's one probe context per call), by ref. */
const asked = new WeakMap<ToolContext, Map<string, Promise<string>>>();

async function readTarget(session: ChromeSession, ctx: ToolContext, ref?: string): Promise<string> {
  // The tab the call will act on, found (and connected to) now: a blank stand-in would let a read past its rule.
  const tab = await session.use(ctx);
  try {
    const list = await frames(session, tab);
    const frameId = ref ? tab.refFrames.get(ref) : undefined;
    return (list.find((f) => f.id === frameId) ?? list[0])?.url ?? "about:blank";
  } catch {
    return "about:blank";
  }
}

/** Sensitive sites are forbidden unless a rule names their origin; what else a tool adds (a password field) comes on top. */
export async function siteFloor(
  session: ChromeSession,
  tool: string,
  url: string,
  ctx: ToolContext,
): Promise<Tier | undefined> {
  const kind = sensitiveKind(url, session.options.sensitiveHosts);
  if (!kind) return undefined;
  const decision = ctx.decide ? ctx.decide(tool, url) : await ctx.check(tool, url);
  return namesOrigin(decision, url) ? undefined : "forbidden";
}

/**
 * How the evidence after an action is encoded: JPEG at quality 80. Measured on the bench page here, a capture
 * is mostly the compositor's frame; JPEG 80 took ~50 ms against PNG's ~61 ms (median of 25) at about 80% of the
 * bytes, with text still legible; WebP 80 took ~99 ms. A screenshot the agent asks for (chrome.screenshot) stays PNG.
 * Rechecked (issue 14, median of 41 on the bench page, after a change so a new frame is needed): JPEG 80 47.0 ms,
 * with `optimizeForSpeed` 48.2 ms (it only picks a faster PNG compressor), JPEG 60 51.6 ms, PNG 54.9 ms, WebP 88.3
 * ms: the time is the compositor's fresh frame, not the encoding, so no option buys speed and q80 stays.
 */
export const EVIDENCE_SHOT = { format: "jpeg", quality: 80 } as const;

/**
 * The evidence's mask and page turn around an action. The mask goes on before the action (beside finding the
 * element), so the capture can start the moment the action's input is acknowledged, beside the page turn, while the
 * frame the action asked for is on its way: captured after the turn, it waited ~36 ms for a new frame, against
 * ~12 ms (bench/chrome/PROFILE.md). The turn still runs (a navigation the action started is known when the call
 * ends) and puts the mask on again if the action replaced it. After a navigation that early picture is dropped: it may
 * show either document, and the new one is unmasked. `masked()` is the page's URL when the mask is still on.
 */
export function maskingTurn(session: ChromeSession, tab: ChromeTab) {
  let url: string | undefined;
  let on: Promise<string | undefined> = Promise.resolve(undefined);
  let early: Promise<Buffer | undefined> | undefined;
  return {
    /** Before the action: the mask on the main frame; resolves to that frame's id, or undefined if it could not be. */
    prepare(): Promise<string | undefined> {
      on = mainFrameId(session, tab)
        .then(async (main) => (await maskPage(session, tab, main), main))
        .catch(() => undefined);
      return on;
    },
    /** Right after the action's input: the evidence's capture starts. */
    shoot(): void {
      early = on
        .then((main) =>
          main === undefined
            ? undefined
            : session
                .send<{ data: string }>(tab, "Page.captureScreenshot", EVIDENCE_SHOT)
                .then(({ data }) => Buffer.from(data, "base64")),
        )
        .catch(() => undefined);
    },
    turn: async (frameId: string) => {
      url = await maskPage(session, tab, frameId, true);
    },
    masked: (out: { navigated: boolean }) => (out.navigated ? undefined : url),
    /** The early capture, when it shows the masked document the action left (never after a navigation). */
    async early(out: { navigated: boolean }): Promise<Buffer | undefined> {
      // After a navigation (or a refused one) evidence() captures as before, masking what is there then.
      if (out.navigated) return undefined;
      const main = await on;
      const data = await early;
      if (main === undefined || data === undefined) return undefined;
      // The mask is on only while the evidence is taken.
      unmask(session, tab, main);
      return data;
    },
    /** An action that failed leaves no mask on the person's page. */
    release(): void {
      void on.then((main) => main !== undefined && unmask(session, tab, main));
    },
  };
}

/**
 * Every mutating action leaves a screenshot after it, as evidence. It is taken before the call returns (so it shows
 * the page after the action and before any next one); the file and its index entry are written in the background
 * and are on disk by the gate's settled()/dispose. While it is taken, its file name is reserved (the page's URL is
 * known from the mask's turn), so the call ends when the capture does.
 */
export async function evidence(
  session: ChromeSession,
  tab: ChromeTab,
  ctx: ToolContext,
  tool: string,
  lines: string[],
  data: Record<string, unknown>,
  masked?: string,
  /** A capture started as the action ended (maskingTurn), used when it shows the masked page the action left. */
  early?: Promise<Buffer | undefined>,
): Promise<ToolResult> {
  const shot = (early ?? Promise.resolve(undefined))
    .then((data) =>
      data !== undefined && masked !== undefined ? { data, url: masked } : capture(session, tab, EVIDENCE_SHOT, masked),
    )
    .catch(() => undefined);
  const file = (url: string, bytes: Uint8Array | Promise<Uint8Array | undefined>) =>
    ctx.artifacts.write({
      name: `after-${tool}.jpg`,
      kind: "screenshot",
      data: bytes,
      background: true,
      meta: { url, time: new Date().toISOString(), tab: tab.id, after: `chrome.${tool}` },
    });
  // A capture that fails cancels the reserved name: nothing is written or listed.
  const reserved =
    masked === undefined
      ? undefined
      : file(
          masked,
          shot.then((s) => s?.data),
        ).catch(() => undefined);
  const taken = await shot;
  if (!taken) {
    await reserved;
    const url = await tabUrl(session, tab).catch(() => "");
    return { content: [...lines, "(no screenshot: the tab could not be captured)"].join("\n"), data: { ...data, url } };
  }
  const { url } = taken;
  const artifact = (await reserved) ?? (await file(url, taken.data));
  return {
    content: [...lines, `Screenshot after: ${artifact.path}`].join("\n"),
    data: { ...data, url, screenshot: artifact.path },
    artifacts: [artifact],
  };
}
