import { z } from "zod";

/*
 * Keys are written in xdotool syntax (what Anthropic's computer-use tool uses):
 * chords joined by "+", several chords separated by spaces: "ctrl+s",
 * "ctrl+shift+t Return". Each key is a keysym name of letters, digits and
 * underscores only, so no key can ever read as an option ("--help") or a
 * second xdotool command, whatever the model writes.
 */

const KEY_NAME = /^[A-Za-z0-9_]{1,32}$/;
export const MAX_CHORDS = 16;
export const MAX_KEYS_PER_CHORD = 5;

const MODIFIER_ALIASES: Record<string, string> = {
  ctrl: "ctrl",
  control: "ctrl",
  control_l: "ctrl",
  shift: "shift",
  shift_l: "shift",
  alt: "alt",
  alt_l: "alt",
  option: "alt",
  super: "super",
  super_l: "super",
  meta: "super",
  cmd: "super",
  command: "super",
  win: "super",
};

export type Modifier = "ctrl" | "shift" | "alt" | "super";

export interface Chord {
  modifiers: Modifier[];
  /** The non-modifier key, as written (keysym name); absent for a chord of modifiers only. */
  key?: string;
}

export function parseChord(text: string): Chord | string {
  const parts = text.split("+");
  if (parts.length > MAX_KEYS_PER_CHORD) return `"${text}" has more than ${MAX_KEYS_PER_CHORD} keys`;
  const modifiers: Modifier[] = [];
  let key: string | undefined;
  for (const part of parts) {
    if (!KEY_NAME.test(part))
      return `"${part}" is not a key name (letters, digits and _ only, e.g. Return, ctrl, a, F5, Page_Down)`;
    const modifier = MODIFIER_ALIASES[part.toLowerCase()] as Modifier | undefined;
    if (modifier) {
      if (!modifiers.includes(modifier)) modifiers.push(modifier);
      continue;
    }
    if (key) return `"${text}" names two keys (${key} and ${part}); a chord is modifiers plus one key`;
    key = part;
  }
  return key ? { modifiers, key } : { modifiers };
}

/** One or more chords separated by spaces, each checked. */
export const keysSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .superRefine((text, ctx) => {
    const chords = text.split(/\s+/);
    if (chords.length > MAX_CHORDS) ctx.addIssue({ code: "custom", message: `at most ${MAX_CHORDS} chords` });
    for (const chord of chords) {
      const parsed = parseChord(chord);
      if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
    }
  });

export function parseKeys(text: string): Chord[] {
  return text
    .trim()
    .split(/\s+/)
    .map((c) => {
      const parsed = parseChord(c);
      if (typeof parsed === "string") throw new Error(parsed);
      return parsed;
    });
}

/** A chord back in xdotool's own words: "ctrl+shift+t". */
export function xdotoolChord(chord: Chord): string {
  return [...chord.modifiers, ...(chord.key ? [chord.key] : [])].join("+");
}
