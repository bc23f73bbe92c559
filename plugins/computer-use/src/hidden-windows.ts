import type { Decision } from "@worksite/core";
import { PNG } from "pngjs";
import { appTarget, deniedBecause, ruleNamesApp } from "./deny-list.js";
import type { WindowInfo } from "./driver.js";
import type { Point, Size } from "./scale.js";

/*
 * A screenshot's rule target is the whole screen, so an app that PERMISSIONS.md
 * forbids (or the built-in deny list covers) would still show in it: a password
 * manager open beside the app the agent works in. Such windows are blacked out
 * in every picture the plugin takes (the screenshot and zoom tools, and the
 * evidence after each action), and their titles are withheld from `apps` and
 * `cursor`. The window list is read before and after the capture, so a window
 * that opened or moved meanwhile is covered at both places.
 */

/** A window a picture must not show, and why (for the agent and the audit entry). */
export interface HiddenWindow {
  app: string;
  why: string;
  bounds: Point & Size;
}

type Decide = ((tool: string, target: string) => Decision) | undefined;

/** Why `window` must not be seen by the agent through `tool`, or undefined when it may be. */
export function hiddenBecause(window: WindowInfo, tool: string, decide: Decide): string | undefined {
  const decision = decide?.(tool, appTarget(window));
  if (decision?.tier === "forbidden") return `PERMISSIONS.md forbids ${tool} on ${window.app}`;
  const why = deniedBecause(window);
  if (why && !ruleNamesApp(decision, window.app)) return `${window.app} is ${why}, on worksite's built-in deny list`;
  return undefined;
}

/** The windows among `windows` (any number of reads of the window list) that a picture must black out. */
export function windowsToHide(windows: readonly WindowInfo[], tool: string, decide: Decide): HiddenWindow[] {
  const out: HiddenWindow[] = [];
  for (const w of windows) {
    if (!w.bounds) continue;
    const why = hiddenBecause(w, tool, decide);
    if (why) out.push({ app: w.app, why, bounds: w.bounds });
  }
  return out;
}

/**
 * The PNG with each rectangle (in the picture's own pixels) filled black. Edges are widened by `margin`
 * pixels, since scaling blends a window's border into its neighbours.
 */
export function blackOut(png: Uint8Array, rects: readonly (Point & Size)[], margin = 2): Uint8Array {
  if (rects.length === 0) return png;
  const image = PNG.sync.read(Buffer.from(png));
  const { width, height, data } = image;
  for (const r of rects) {
    const x0 = Math.max(0, Math.floor(r.x) - margin);
    const y0 = Math.max(0, Math.floor(r.y) - margin);
    const x1 = Math.min(width, Math.ceil(r.x + r.width) + margin);
    const y1 = Math.min(height, Math.ceil(r.y + r.height) + margin);
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const i = (y * width + x) * 4;
        data[i] = 0;
        data[i + 1] = 0;
        data[i + 2] = 0;
        data[i + 3] = 255;
      }
    }
  }
  return new Uint8Array(PNG.sync.write(image));
}

/** A rectangle on the screen in the pixels of a picture of `region` (the whole screen when absent) scaled to `out`. */
export function toPicture(rect: Point & Size, screen: Size, out: Size, region?: Point & Size): Point & Size {
  const from = region ?? { x: 0, y: 0, ...screen };
  const sx = out.width / from.width;
  const sy = out.height / from.height;
  return {
    x: (rect.x - from.x) * sx,
    y: (rect.y - from.y) * sy,
    width: rect.width * sx,
    height: rect.height * sy,
  };
}
