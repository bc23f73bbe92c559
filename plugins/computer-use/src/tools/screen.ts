import { defineTool } from "@worksite/core";
import { z } from "zod";
import { appTarget } from "../deny-list.js";
import { LIMITS } from "../options.js";
import { toScaled } from "../scale.js";
import type { ComputerSession } from "../session.js";
import { hiddenBecause } from "../hidden-windows.js";
import { coordinate, hiddenNote, screenshotArtifact, settle } from "./common.js";

const SCREEN = () => "screen";

export function screenshotTool(session: ComputerSession, screen: () => string) {
  return defineTool({
    get description() {
      return `Screenshot of the whole screen, scaled to ${screen()}; every coordinate you give the other computer tools is in this picture's pixels. Saved as an artifact; the PNG comes back base64 in data.image.`;
    },
    effect: "read",
    input: z.object({}).strict(),
    target: SCREEN,
    async run(_i, ctx) {
      const shot = await screenshotArtifact(session, ctx, "computer-screenshot", { action: "screenshot" });
      return {
        content: `Screenshot ${shot.width}x${shot.height} saved to ${shot.path}.${hiddenNote(shot.hidden)}`,
        data: {
          path: shot.path,
          width: shot.width,
          height: shot.height,
          mimeType: "image/png",
          image: Buffer.from(shot.data).toString("base64"),
          hidden: [...new Set(shot.hidden.map((h) => h.app))],
        },
        artifacts: [shot],
      };
    },
  });
}

export function zoomTool(session: ComputerSession, screen: () => string) {
  const input = z
    .object({ x0: coordinate, y0: coordinate, x1: coordinate, y1: coordinate })
    .strict()
    .refine((r) => r.x1 > r.x0 && r.y1 > r.y0, "x1 must be greater than x0 and y1 greater than y0");
  return defineTool({
    get description() {
      return `A closer look at the rectangle (x0, y0)–(x1, y1) of the screenshot (${screen()}), at the screen's full resolution.`;
    },
    effect: "read",
    input,
    target: SCREEN,
    async run(i, ctx) {
      const a = await session.toScreen({ x: i.x0, y: i.y0 });
      const b = await session.toScreen({ x: i.x1, y: i.y1 });
      const region = { x: a.x, y: a.y, width: Math.max(1, b.x - a.x), height: Math.max(1, b.y - a.y) };
      const shot = await screenshotArtifact(session, ctx, "computer-zoom", { action: "zoom", region }, region, {
        width: region.width,
        height: region.height,
      });
      return {
        content: `Zoomed on (${i.x0}, ${i.y0})–(${i.x1}, ${i.y1}): ${shot.width}x${shot.height} saved to ${shot.path}.${hiddenNote(shot.hidden)}`,
        data: {
          path: shot.path,
          width: shot.width,
          height: shot.height,
          mimeType: "image/png",
          image: Buffer.from(shot.data).toString("base64"),
          hidden: [...new Set(shot.hidden.map((h) => h.app))],
        },
        artifacts: [shot],
      };
    },
  });
}

export function cursorTool(session: ComputerSession) {
  return defineTool({
    description: "Where the pointer is, in screenshot coordinates, and the app under it.",
    effect: "read",
    input: z.object({}).strict(),
    target: SCREEN,
    async run(_i, ctx) {
      const driver = await session.driver();
      const g = await session.geometry();
      const real = await driver.cursor();
      const p = toScaled(real, g.scaled, g.screen);
      const window = await driver.windowAt(real);
      // A window a screenshot may not show keeps its title to itself too (a password manager's names an entry).
      const withheld = window && hiddenBecause(window, "computer.screenshot", ctx.decide?.bind(ctx));
      const title = window && !withheld ? ctx.untrusted(window.title, `the title of a ${window.app} window`) : "";
      return {
        content: `The pointer is at (${p.x}, ${p.y}) over ${appTarget(window)}.${title ? `\n${title}` : ""}`,
        data: { x: p.x, y: p.y, app: window?.app ?? null },
      };
    },
  });
}

export function appsTool(session: ComputerSession) {
  return defineTool({
    description:
      "The visible apps and their windows, topmost first, with where each window is in screenshot coordinates.",
    effect: "read",
    input: z.object({}).strict(),
    target: SCREEN,
    async run(_i, ctx) {
      const driver = await session.driver();
      const g = await session.geometry();
      const windows = await driver.windows();
      const rows = windows.map((w) => {
        const b = w.bounds;
        const at = b ? toScaled(b, g.scaled, g.screen) : undefined;
        const end = b ? toScaled({ x: b.x + b.width - 1, y: b.y + b.height - 1 }, g.scaled, g.screen) : undefined;
        const withheld = hiddenBecause(w, "computer.screenshot", ctx.decide?.bind(ctx));
        const title = withheld ? `[title withheld: ${withheld}]` : w.title;
        return { app: w.app, title, window: w.id, ...(at && end ? { box: [at.x, at.y, end.x, end.y] } : {}) };
      });
      // Titles are set by the programs (a web page sets its own): data, never instructions.
      const listing = rows
        .map((r) => `- ${r.app} (window ${r.window}${r.box ? ` at ${r.box.join(",")}` : ""}): ${r.title}`)
        .join("\n");
      return {
        content: `${rows.length} visible windows (app names are what rules match as app:NAME):\n${ctx.untrusted(listing || "(none)", "the desktop's window list")}`,
        data: { windows: rows },
      };
    },
  });
}

export function waitTool(session: ComputerSession) {
  return defineTool({
    description: `Wait up to ${LIMITS.maxWaitMs / 1000} s for the screen to change (a page loading), then take a screenshot.`,
    effect: "read",
    input: z.object({ ms: z.number().int().min(0).max(LIMITS.maxWaitMs).default(1000) }).strict(),
    target: SCREEN,
    async run(i, ctx) {
      await settle(i.ms, ctx.signal);
      const shot = await screenshotArtifact(session, ctx, "computer-wait", { action: "wait", ms: i.ms });
      return {
        content: `Waited ${i.ms} ms; screenshot saved to ${shot.path}.${hiddenNote(shot.hidden)}`,
        data: { path: shot.path, width: shot.width, height: shot.height },
        artifacts: [shot],
      };
    },
  });
}
