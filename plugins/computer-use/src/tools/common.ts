import { type ArtifactRef, type TierFloor, type ToolContext, type ToolResult, WorksiteError } from "@worksite/core";
import { z } from "zod";
import { appTarget, deniedBecause, ruleNamesApp } from "../deny-list.js";
import type { WindowInfo } from "../driver.js";
import { LIMITS } from "../options.js";
import type { Point } from "../scale.js";
import { blackOut, type HiddenWindow, toPicture, windowsToHide } from "../hidden-windows.js";
import type { ComputerSession } from "../session.js";
import { stoppedMessage } from "../stop-switch.js";

export const coordinate = z.number().int().min(0).max(LIMITS.maxCoordinate);
export const pointSchema = z.object({ x: coordinate, y: coordinate });
export const modifiersSchema = z
  .array(z.enum(["ctrl", "shift", "alt", "super"]))
  .max(4)
  .optional();

/** Where an input action lands: points in the picture the model saw, or the window with keyboard focus. */
export type Aim = { points: Point[] } | { focused: true };

async function windowsFor(session: ComputerSession, aim: Aim): Promise<(WindowInfo | undefined)[]> {
  const driver = await session.driver();
  if ("focused" in aim) {
    // With no window manager (or X's PointerRoot focus) keys go to the window under the pointer.
    const focused = await driver.focusedWindow();
    return [focused ?? (await driver.windowAt(await driver.cursor()))];
  }
  const screen = await Promise.all(aim.points.map((p) => session.toScreen(p)));
  return Promise.all(screen.map((p) => driver.windowAt(p)));
}

const describe = (w: WindowInfo | undefined) => (w ? `${w.app} (window ${w.id})` : "no window");

/**
 * The gate's three hooks for an input action. `target` reads the app and
 * window under the action right before the decision; `minimumTier` applies
 * the kill switch and the built-in deny list; `confirmUnchanged` (first thing
 * in `run`) reads them again and refuses if they moved, so an action is never
 * sent to a window nobody decided on.
 */
export function aimed<I extends object>(session: ComputerSession, toolId: string, aimOf: (input: I) => Aim) {
  return {
    async target(input: I): Promise<string> {
      const windows = await windowsFor(session, aimOf(input));
      session.decided.set(input, { windows });
      return appTarget(windows[0]);
    },
    async minimumTier(input: I, ctx: ToolContext): Promise<TierFloor | undefined> {
      if (session.stopped()) return { tier: "forbidden", reason: stoppedMessage(session.stopFile) };
      const windows = session.decided.get(input)?.windows ?? (await windowsFor(session, aimOf(input)));
      for (const w of windows) {
        if (!w) continue;
        const why = deniedBecause(w);
        if (why && !ruleNamesApp(ctx.decide?.(toolId, appTarget(w)), w.app))
          return {
            tier: "forbidden",
            reason: `${w.app} is ${why}, on worksite's built-in deny list; only a PERMISSIONS.md rule naming it (\`${toolId}(app:${w.app})\`) lets an agent act there`,
          };
      }
      // A drag decided on its start must not end somewhere the rules hold back more (a forbidden app, one that needs a person).
      const [first, ...rest] = windows;
      for (const w of rest) {
        if (!w || w.id === first?.id) continue;
        const there = ctx.decide?.(toolId, appTarget(w));
        if (!there) return { tier: "confirm", reason: `it ends on ${w.app}, a different app from where it starts` };
        if (there.tier !== "allow") return { tier: there.tier, reason: `it ends on ${w.app}: ${there.reason}` };
      }
      return undefined;
    },
    async confirmUnchanged(input: I, ctx: ToolContext): Promise<WindowInfo | undefined> {
      session.assertLive(ctx);
      const now = await windowsFor(session, aimOf(input));
      const decided = session.decided.get(input);
      if (!decided) {
        // Run without a decision in front of it (an embedder calling run directly): ask the policy now.
        const decision = await ctx.check(toolId, appTarget(now[0]));
        if (decision.tier !== "allow")
          throw new WorksiteError(
            "refused",
            `${toolId} on ${appTarget(now[0])} is ${decision.tier}: ${decision.reason}`,
          );
        return now[0];
      }
      now.forEach((w, i) => {
        const was = decided.windows[i];
        if (w?.id !== was?.id || w?.app !== was?.app)
          throw new WorksiteError(
            "refused",
            `the window under the action changed after the decision (was ${describe(was)}, now ${describe(w)}); nothing was sent`,
          );
      });
      return now[0];
    },
  };
}

/** The screenshot after an input action: the evidence a person looks at, linked from the audit entry. */
export async function evidence(
  session: ComputerSession,
  ctx: ToolContext,
  action: string,
  window: WindowInfo | undefined,
  options: { withhold?: string } = {},
): Promise<ArtifactRef & { hidden?: HiddenWindow[] }> {
  if (options.withhold)
    return ctx.artifacts.write({
      name: `computer-${action}-withheld.md`,
      kind: "markdown",
      data: `Screenshot after \`computer.${action}\` withheld: ${options.withhold}\n`,
      meta: { action, app: window?.app, withheld: true },
    });
  return screenshotArtifact(session, ctx, `computer-${action}`, { action, ...(window ? { app: window.app } : {}) });
}

/**
 * A picture of the screen (or `region` of it), with every window the agent may not see through
 * `computer.screenshot` blacked out (hidden-windows.ts), saved as an artifact.
 */
export async function screenshotArtifact(
  session: ComputerSession,
  ctx: Pick<ToolContext, "artifacts" | "signal" | "decide">,
  name: string,
  meta: Record<string, unknown>,
  region?: { x: number; y: number; width: number; height: number },
  size?: { width: number; height: number },
): Promise<ArtifactRef & { data: Uint8Array; width: number; height: number; hidden: HiddenWindow[] }> {
  await settle(session.options.settleMs, ctx.signal);
  const driver = await session.driver();
  const g = await session.geometry();
  const out = size ?? g.scaled;
  const before = await driver.windows();
  const raw = await driver.screenshot(out, region);
  const after = await driver.windows();
  const hidden = windowsToHide([...before, ...after], "computer.screenshot", ctx.decide?.bind(ctx));
  const data = blackOut(
    raw,
    hidden.map((h) => toPicture(h.bounds, g.screen, out, region)),
  );
  const apps = [...new Set(hidden.map((h) => h.app))];
  const ref = await ctx.artifacts.write({
    name: `${name}.png`,
    kind: "screenshot",
    data,
    meta: {
      ...meta,
      width: out.width,
      height: out.height,
      time: new Date().toISOString(),
      ...(apps.length ? { hidden: apps } : {}),
    },
  });
  return { ...ref, data, width: out.width, height: out.height, hidden };
}

/** What the agent reads about windows a picture blacked out. */
export function hiddenNote(hidden: readonly HiddenWindow[]): string {
  const reasons = [...new Map(hidden.map((h) => [h.app, h.why])).values()];
  return reasons.length ? `\nBlacked out in the picture: ${reasons.join("; ")}.` : "";
}

export function settle(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Waits `ms`, waking early for the kill switch or an abort; reports which. */
export async function interruptibleWait(session: ComputerSession, ctx: ToolContext, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    session.assertLive(ctx);
    await settle(Math.min(100, end - Date.now()), ctx.signal);
  }
  session.assertLive(ctx);
}

export function inputResult(
  content: string,
  artifact: ArtifactRef & { hidden?: HiddenWindow[] },
  window: WindowInfo | undefined,
  data: Record<string, unknown> = {},
): ToolResult {
  return {
    content: `${content}\nScreenshot after the action: ${artifact.path}${hiddenNote(artifact.hidden ?? [])}`,
    data: { ...data, app: window?.app ?? null, window: window?.id ?? null, screenshot: artifact.path },
    artifacts: [artifact],
  };
}
