import type { Chord, Modifier } from "../keys.js";

/** macOS virtual key codes (Carbon's kVK_*), by xdotool keysym name. */
const CODES: Record<string, number> = {
  a: 0,
  s: 1,
  d: 2,
  f: 3,
  h: 4,
  g: 5,
  z: 6,
  x: 7,
  c: 8,
  v: 9,
  b: 11,
  q: 12,
  w: 13,
  e: 14,
  r: 15,
  y: 16,
  t: 17,
  "1": 18,
  "2": 19,
  "3": 20,
  "4": 21,
  "6": 22,
  "5": 23,
  "9": 25,
  "7": 26,
  "8": 28,
  "0": 29,
  o: 31,
  u: 32,
  i: 34,
  p: 35,
  l: 37,
  j: 38,
  k: 40,
  n: 45,
  m: 46,
  equal: 24,
  minus: 27,
  bracketright: 30,
  bracketleft: 33,
  apostrophe: 39,
  semicolon: 41,
  backslash: 42,
  comma: 43,
  slash: 44,
  period: 47,
  grave: 50,
  return: 36,
  kp_enter: 76,
  tab: 48,
  space: 49,
  backspace: 51,
  escape: 53,
  delete: 117,
  home: 115,
  end: 119,
  page_up: 116,
  prior: 116,
  page_down: 121,
  next: 121,
  left: 123,
  right: 124,
  down: 125,
  up: 126,
  f1: 122,
  f2: 120,
  f3: 99,
  f4: 118,
  f5: 96,
  f6: 97,
  f7: 98,
  f8: 100,
  f9: 101,
  f10: 109,
  f11: 103,
  f12: 111,
};

/** CGEventFlags masks. xdotool's "super" is the Command key on a Mac. */
export const FLAGS: Record<Modifier, number> = {
  shift: 0x20000,
  ctrl: 0x40000,
  alt: 0x80000,
  super: 0x100000,
};
const MODIFIER_CODES: Record<Modifier, number> = { shift: 56, ctrl: 59, alt: 58, super: 55 };

export function flagsOf(modifiers: readonly Modifier[]): number {
  return modifiers.reduce((f, m) => f | FLAGS[m], 0);
}

export function keyCode(key: string): number | undefined {
  return CODES[key.toLowerCase()];
}

export type KeyStep = { key: number; down: boolean; flags: number };

/** A chord as CGEvent key steps: modifiers down, the key down and up, modifiers up. */
export function chordSteps(chord: Chord, phase: "press" | "down" | "up" = "press"): KeyStep[] {
  const flags = flagsOf(chord.modifiers);
  const code = chord.key === undefined ? undefined : keyCode(chord.key);
  if (chord.key !== undefined && code === undefined) throw new Error(`no macOS key code for "${chord.key}"`);
  const downs: KeyStep[] = chord.modifiers.map((m) => ({ key: MODIFIER_CODES[m], down: true, flags }));
  const ups: KeyStep[] = [...chord.modifiers].reverse().map((m) => ({ key: MODIFIER_CODES[m], down: false, flags: 0 }));
  if (code !== undefined) downs.push({ key: code, down: true, flags });
  if (code !== undefined) ups.unshift({ key: code, down: false, flags });
  if (phase === "down") return downs;
  if (phase === "up") return ups;
  return [...downs, ...ups];
}
