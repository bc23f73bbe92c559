/*
 * The model sees the screen at a standard size and clicks in that picture's
 * coordinates; we scale them back to real pixels. Anthropic's computer-use
 * guidance: XGA (4:3), WXGA (16:10) or FWXGA (~16:9), picked by aspect ratio,
 * because models click more precisely on images of these sizes.
 */

export interface Size {
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

export const SCALED_SIZES: readonly (Size & { name: string })[] = [
  { name: "XGA", width: 1024, height: 768 },
  { name: "WXGA", width: 1280, height: 800 },
  { name: "FWXGA", width: 1366, height: 768 },
];

/** The size the model sees: the standard size nearest the screen's aspect ratio, never larger than the screen. */
export function scaledSize(screen: Size): Size {
  const ratio = screen.width / screen.height;
  const best = [...SCALED_SIZES].sort(
    (a, b) => Math.abs(a.width / a.height - ratio) - Math.abs(b.width / b.height - ratio),
  )[0]!;
  if (best.width >= screen.width || best.height >= screen.height) return { ...screen };
  // Keep the screen's own ratio at the standard width, so a circle stays a circle.
  return { width: best.width, height: Math.round(best.width / ratio) };
}

/** A point in the picture the model saw → real screen pixels, clamped inside the screen. */
export function toScreen(point: Point, scaled: Size, screen: Size): Point {
  const x = Math.round((point.x * screen.width) / scaled.width);
  const y = Math.round((point.y * screen.height) / scaled.height);
  return { x: clamp(x, 0, screen.width - 1), y: clamp(y, 0, screen.height - 1) };
}

/** Real screen pixels → the picture's coordinates (for `cursor`). */
export function toScaled(point: Point, scaled: Size, screen: Size): Point {
  return {
    x: clamp(Math.round((point.x * scaled.width) / screen.width), 0, scaled.width - 1),
    y: clamp(Math.round((point.y * scaled.height) / screen.height), 0, scaled.height - 1),
  };
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

/** Width and height from a PNG's IHDR chunk, to check what a screenshot command really produced. */
export function pngSize(data: Uint8Array): Size | undefined {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (data.length < 24 || signature.some((b, i) => data[i] !== b)) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
