import { describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { parseGoal } from "./parse-goal.js";
import { parsePermissions } from "./parse-permissions.js";
import { INTERNAL_PARSE_ERROR } from "./parse-result.js";
import { parseThread } from "./parse-thread.js";
import { fixture } from "./__fixtures__/fixtures.js";

/** mulberry32: small, seeded, so a failing input reproduces from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  "`",
  "``",
  "|",
  ":",
  "：",
  "-",
  "#",
  "## ",
  "* ",
  "1. ",
  "(",
  ")",
  '"',
  "'",
  "“",
  "\n",
  "\r\n",
  "\t",
  "---",
  "---\n",
  "...",
  "<!--",
  "-->",
  "```",
  "\ufeff",
  "match: ",
  "not_match: ",
  "允许",
  "禁止",
  "需确认",
  "层级  规则",
  "| tier | rules |",
  "|---|---|",
  "/goal ",
  "连续",
  "最多 3 轮",
  "artifacts/",
  "`shell.run(",
  "`browser.* ",
  "three consecutive",
  "\\",
  "\u0000",
  "\ud800",
  "😀",
  "\u202e",
  "*/5 * * * *",
  "${}",
  "__proto__",
  "constructor",
];

const YAML_SNIPPETS = [
  "key: [",
  ": :",
  "- - -",
  "&a [*a]",
  "!!js/function 'function(){}'",
  "? complex\n: value",
  "[[[[[[[[[[[[[[[[[[[[",
  "{{{{",
  "stage: monitor",
  "stage: 42",
  "wake: 61 * * * *",
  "wake: 0m",
  "agent: { kind: }",
  "agent: []",
  "memory: { path: 1 }",
  "plugins: [1, null]",
  "default: { read: allow, bogus: 1 }",
  "default: 禁止",
  "pause: { maxRounds: -1, budget: 2h }",
  "verify: [{ artifact: '' }, 3]",
  "protect: { a: 1 }",
  "__proto__: { polluted: true }",
  "x: !!binary aGVsbG8=",
  "date: 2024-01-01",
  "n: .nan",
  "'quoted key': 1",
  "\tstage: draft",
  "a: *undefined_alias",
  "<<: { stage: draft }",
  "verify: npm test",
  "pause: 3",
];

function randomUnicode(rand: () => number, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) {
    const r = rand();
    const cp =
      r < 0.6
        ? 32 + Math.floor(rand() * 95)
        : r < 0.8
          ? 0x4e00 + Math.floor(rand() * 0x5000)
          : Math.floor(rand() * 0x10ffff);
    s += cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
  }
  return s;
}

function mutate(text: string, rand: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  let s = text;
  const steps = 1 + Math.floor(rand() * 6);
  for (let n = 0; n < steps; n++) {
    const at = Math.floor(rand() * (s.length + 1));
    const lines = s.split("\n");
    const line = Math.floor(rand() * lines.length);
    switch (Math.floor(rand() * 9)) {
      case 0: // delete a run of characters
        s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rand() * 8));
        break;
      case 1: // duplicate a run
        s = s.slice(0, at) + s.slice(at, at + 20) + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + pick(TOKENS) + s.slice(at);
        break;
      case 3:
        s = s.slice(0, at) + randomUnicode(rand, 1 + Math.floor(rand() * 6)) + s.slice(at);
        break;
      case 4: // delete a line
        lines.splice(line, 1);
        s = lines.join("\n");
        break;
      case 5: // duplicate a line
        lines.splice(line, 0, lines[line] ?? "");
        s = lines.join("\n");
        break;
      case 6: // random YAML, inside the frontmatter when there is one
        lines.splice(s.startsWith("---") ? 1 + Math.floor(rand() * 3) : 0, 0, pick(YAML_SNIPPETS));
        s = lines.join("\n");
        break;
      case 7: // swap two lines
        {
          const other = Math.floor(rand() * lines.length);
          [lines[line], lines[other]] = [lines[other]!, lines[line]!];
          s = lines.join("\n");
        }
        break;
      default:
        s = s.slice(0, at);
    }
  }
  return s;
}

function randomDocument(rand: () => number): string {
  const parts: string[] = [];
  if (rand() < 0.5)
    parts.push(
      "---",
      ...Array.from(
        { length: Math.floor(rand() * 4) },
        () => YAML_SNIPPETS[Math.floor(rand() * YAML_SNIPPETS.length)]!,
      ),
      "---",
    );
  const lines = Math.floor(rand() * 12);
  for (let i = 0; i < lines; i++) {
    const r = rand();
    parts.push(
      r < 0.5
        ? TOKENS[Math.floor(rand() * TOKENS.length)]! + randomUnicode(rand, Math.floor(rand() * 20))
        : randomUnicode(rand, Math.floor(rand() * 40)),
    );
  }
  return parts.join("\n");
}

const parsers = {
  thread: (t: string) => parseThread(t, { file: "THREAD.md" }),
  goal: (t: string) => parseGoal(t, { file: "GOAL.md" }),
  permissions: (t: string) => parsePermissions(t, { file: "PERMISSIONS.md", root: "/site" }),
};
const seeds: Record<keyof typeof parsers, string[]> = {
  thread: [fixture("en", "THREAD.md"), fixture("zh", "THREAD.md")],
  goal: [fixture("en", "GOAL.md"), fixture("zh", "GOAL.md"), "/goal ship\nRequirements:\n1. a\n2. `npm test`\n"],
  permissions: [
    fixture("en", "PERMISSIONS.md"),
    fixture("zh", "PERMISSIONS.md"),
    '| tier | rules |\n|---|---|\n| allow | `file.write(src/**)` match: "src/a" |\n',
    "层级  规则\n允许  `shell.run(npm test)`\n禁止  `payment.*`\n",
  ],
};

const INPUTS_PER_PARSER = 3400;

describe("fuzzing the three parsers", () => {
  for (const [name, parse] of Object.entries(parsers) as [keyof typeof parsers, (t: string) => unknown][]) {
    it(`lets nothing but a UserError escape the ${name} parser (${INPUTS_PER_PARSER} inputs)`, () => {
      let rejected = 0;
      for (let i = 0; i < INPUTS_PER_PARSER; i++) {
        const seed = 1000 * name.length + i;
        const rand = prng(seed);
        const base = seeds[name][i % seeds[name].length]!;
        const input = rand() < 0.8 ? mutate(base, rand) : randomDocument(rand);
        try {
          parse(input);
        } catch (error) {
          rejected++;
          if (!UserError.isUserError(error))
            throw new Error(
              `seed ${seed}: ${name} threw a non-UserError: ${String(error)}\ninput: ${JSON.stringify(input)}`,
            );
          const internal = error.diagnostics.find((d) => d.message.includes(INTERNAL_PARSE_ERROR));
          if (internal)
            throw new Error(`seed ${seed}: ${name} parser bug: ${internal.message}\ninput: ${JSON.stringify(input)}`);
          for (const d of error.diagnostics) {
            expect(d.line, `seed ${seed}`).toBeGreaterThanOrEqual(1);
            expect(d.message.length).toBeGreaterThan(0);
          }
          expect(
            error.diagnostics.some((d) => d.severity === "error" && d.hint),
            `seed ${seed}: an error without a hint`,
          ).toBe(true);
        }
      }
      // The mutations must actually reach the error paths, or this test proves little.
      expect(rejected).toBeGreaterThan(INPUTS_PER_PARSER / 10);
    }, 60_000); // ~1-2 s each on an idle machine; the margin is for a shared, busy one.
  }
});
