import type { Point, Size } from "../scale.js";

export interface Geometry {
  id: string;
  bounds: Point & Size;
}

/** `xdotool getwindowgeometry --shell` blocks (WINDOW= X= Y= WIDTH= HEIGHT=), in the order printed. */
export function parseGeometries(out: string): Geometry[] {
  const list: Geometry[] = [];
  let current: Partial<Record<string, number>> & { id?: string } = {};
  const flush = () => {
    const { id, X, Y, WIDTH, HEIGHT } = current;
    if (id && X !== undefined && Y !== undefined && WIDTH !== undefined && HEIGHT !== undefined)
      list.push({ id, bounds: { x: X, y: Y, width: WIDTH, height: HEIGHT } });
    current = {};
  };
  for (const line of out.split("\n")) {
    const m = /^(WINDOW|X|Y|WIDTH|HEIGHT)=(-?\d+)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === "WINDOW") {
      flush();
      current.id = m[2];
    } else current[m[1]!] = Number(m[2]);
  }
  flush();
  return list;
}

/** Windows containing the point, topmost first (the input is bottom-to-top, as xdotool search walks the tree). */
export function windowsAt(bottomToTop: Geometry[], p: Point): Geometry[] {
  return bottomToTop
    .filter(
      ({ bounds: b }) =>
        b.width > 1 && b.height > 1 && p.x >= b.x && p.y >= b.y && p.x < b.x + b.width && p.y < b.y + b.height,
    )
    .reverse();
}

/** The class part of `xprop WM_CLASS`: `WM_CLASS(STRING) = "instance", "Class"`. */
export function parseWmClass(out: string): string | undefined {
  const m = /^WM_CLASS\([^)]*\) = "((?:[^"\\]|\\.)*)", "((?:[^"\\]|\\.)*)"\s*$/m.exec(out);
  return m ? m[2]!.replace(/\\(.)/g, "$1") : undefined;
}
