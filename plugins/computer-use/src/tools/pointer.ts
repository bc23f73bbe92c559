import { defineTool } from "@worksite/core";
import { z } from "zod";
import { LIMITS } from "../options.js";
import type { ComputerSession } from "../session.js";
import { aimed, coordinate, evidence, inputResult, modifiersSchema, pointSchema } from "./common.js";

const button = z.enum(["left", "right", "middle"]).default("left");

export function clickTool(session: ComputerSession, screen: () => string) {
  const input = z
    .object({
      x: coordinate,
      y: coordinate,
      button,
      clicks: z.number().int().min(1).max(LIMITS.maxClicks).default(1).describe("2 = double click, 3 = triple click"),
      press: z
        .enum(["click", "down", "up"])
        .default("click")
        .describe("down/up: only press or only release the button (left_mouse_down/up)"),
      modifiers: modifiersSchema.describe("keys held during the click"),
    })
    .strict();
  const hooks = aimed<z.output<typeof input>>(session, "computer.click", (i) => ({ points: [{ x: i.x, y: i.y }] }));
  return defineTool({
    get description() {
      return `Click at (x, y) in the screenshot's coordinates (${screen()}). Needs a person's confirmation unless PERMISSIONS.md allows the app under the pointer: rules read \`computer.click(app:NAME)\`. A screenshot after the click is saved as evidence.`;
    },
    effect: "external",
    input,
    ...hooks,
    async run(i, ctx) {
      const window = await hooks.confirmUnchanged(i, ctx);
      const driver = await session.driver();
      const at = await session.toScreen(i);
      if (i.press === "click") await driver.click(at, i.button, i.clicks, i.modifiers ?? []);
      else await driver.press(at, i.button, i.press);
      const shot = await evidence(session, ctx, "click", window);
      const what =
        i.press === "click"
          ? `${["", "", "double ", "triple "][i.clicks]}${i.button} click`
          : `${i.button} button ${i.press}`;
      return inputResult(`Sent a ${what} at (${i.x}, ${i.y}) on ${window?.app ?? "no window"}.`, shot, window);
    },
  });
}

export function moveTool(session: ComputerSession, screen: () => string) {
  const input = pointSchema.strict();
  const hooks = aimed<z.output<typeof input>>(session, "computer.move", (i) => ({ points: [i] }));
  return defineTool({
    get description() {
      return `Move the pointer to (x, y) in the screenshot's coordinates (${screen()}); apps may react to hovering.`;
    },
    effect: "external",
    input,
    ...hooks,
    async run(i, ctx) {
      const window = await hooks.confirmUnchanged(i, ctx);
      await (await session.driver()).move(await session.toScreen(i));
      const shot = await evidence(session, ctx, "move", window);
      return inputResult(`Moved the pointer to (${i.x}, ${i.y}) over ${window?.app ?? "no window"}.`, shot, window);
    },
  });
}

export function dragTool(session: ComputerSession, screen: () => string) {
  const input = z
    .object({
      path: z
        .array(pointSchema)
        .min(2)
        .max(LIMITS.maxDragPoints)
        .describe("start, optional waypoints, end: [{x, y}, …] in screenshot coordinates"),
      button,
    })
    .strict();
  const hooks = aimed<z.output<typeof input>>(session, "computer.drag", (i) => ({
    points: [i.path[0]!, i.path.at(-1)!],
  }));
  return defineTool({
    get description() {
      return `Press a mouse button at the path's first point, move through it, release at the last (left_click_drag); coordinates as in the screenshot (${screen()}). The rule target is the app at the start; the app at the end must not be on the deny list.`;
    },
    effect: "external",
    input,
    ...hooks,
    async run(i, ctx) {
      const window = await hooks.confirmUnchanged(i, ctx);
      const driver = await session.driver();
      const path = await Promise.all(i.path.map((p) => session.toScreen(p)));
      // Intermediate points: apps only see a drag when the pointer travels with the button held.
      const steps = path.length === 2 ? interpolate(path[0]!, path[1]!, 5) : path;
      await driver.drag(steps, i.button);
      const shot = await evidence(session, ctx, "drag", window);
      const end = i.path.at(-1)!;
      return inputResult(
        `Dragged from (${i.path[0]!.x}, ${i.path[0]!.y}) to (${end.x}, ${end.y}) on ${window?.app ?? "no window"}.`,
        shot,
        window,
      );
    },
  });
}

function interpolate(a: { x: number; y: number }, b: { x: number; y: number }, n: number) {
  return Array.from({ length: n + 1 }, (_, k) => ({
    x: Math.round(a.x + ((b.x - a.x) * k) / n),
    y: Math.round(a.y + ((b.y - a.y) * k) / n),
  }));
}

export function scrollTool(session: ComputerSession, screen: () => string) {
  const input = z
    .object({
      x: coordinate,
      y: coordinate,
      direction: z.enum(["up", "down", "left", "right"]),
      amount: z.number().int().min(1).max(LIMITS.maxScroll).default(3).describe("wheel clicks"),
      modifiers: modifiersSchema,
    })
    .strict();
  const hooks = aimed<z.output<typeof input>>(session, "computer.scroll", (i) => ({ points: [{ x: i.x, y: i.y }] }));
  return defineTool({
    get description() {
      return `Scroll the mouse wheel at (x, y) in screenshot coordinates (${screen()}).`;
    },
    effect: "external",
    input,
    ...hooks,
    async run(i, ctx) {
      const window = await hooks.confirmUnchanged(i, ctx);
      await (await session.driver()).scroll(await session.toScreen(i), i.direction, i.amount, i.modifiers ?? []);
      const shot = await evidence(session, ctx, "scroll", window);
      return inputResult(
        `Scrolled ${i.direction} ${i.amount} at (${i.x}, ${i.y}) on ${window?.app ?? "no window"}.`,
        shot,
        window,
      );
    },
  });
}
