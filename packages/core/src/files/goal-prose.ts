/**
 * Recognises the enforceable parts of GOAL.md prose: commands, artifact
 * checks, and pause conditions. Anything not recognised stays a manual check.
 */
import { parseDuration } from "../text/duration.js";
import { scanCodeSpans } from "./code-spans.js";

export interface Found<T> {
  value: T;
  /** 0-based index in the text. */
  index: number;
}

const RUNNER =
  /(?<![\w`./-])(npm (?:run [\w:.-]+|test|t|ci)|pnpm (?:run [\w:.-]+|-r (?:test|build)|test|build|lint|typecheck)|yarn (?:run [\w:.-]+|test|build|lint)|bun (?:run [\w:.-]+|test)|python3? -m pytest|pytest|cargo (?:test|build|check|clippy)|go (?:test|vet|build) \.\/\.\.\.|make (?:test|check|build|lint)|npx (?:vitest run|vitest|jest|tsc(?: --noEmit)?|playwright test)|mvn test|\.\/gradlew test|gradle test|dotnet test)(?![\w-])/g;

/** Single words that are commands on their own when written as a code span. */
const SINGLE_WORD_COMMANDS = new Set(["pytest", "jest", "vitest", "tsc", "tox", "make", "rspec", "phpunit"]);

function looksLikeCommand(content: string): boolean {
  const c = content.trim();
  if (c === "" || c.startsWith("artifacts/")) return false;
  if (!/\s/.test(c)) return SINGLE_WORD_COMMANDS.has(c) || /^\.\/[\w.-]+$/.test(c);
  const first = c.split(/\s+/)[0]!;
  return /^(\.{0,2}\/)?[\w@.+-][\w@./+-]*$/.test(first) && !first.includes("*");
}

/** Commands in code spans, then known runner phrases in the rest of the text. */
export function findCommands(text: string): Found<string>[] {
  const found: Found<string>[] = [];
  const { spans } = scanCodeSpans(text);
  let rest = text;
  for (const s of spans) {
    if (looksLikeCommand(s.content)) found.push({ value: s.content.trim(), index: s.start });
    rest = rest.slice(0, s.start) + " ".repeat(s.end - s.start) + rest.slice(s.end);
  }
  for (const m of rest.matchAll(RUNNER)) found.push({ value: m[1]!, index: m.index });
  return found.sort((a, b) => a.index - b.index);
}

const SCREENSHOT = /screenshots?|screen shots?|截图|截屏|快照/i;

/** `artifacts/…` path mentioned with evidence wording → a glob the runtime can check. */
export function findArtifactGlob(text: string): Found<string> | undefined {
  const m = /artifacts\/[^\s`'"，。；、,;)）]*/.exec(text);
  if (!m) return undefined;
  let path = m[0].replace(/[.:：]+$/, "");
  path = path.replace(/<[^>]*>|\{[^}]*\}/g, "*").replace(/round-(?:N|n|X|x)(?=\/|$)/g, "round-*");
  if (/\*|\.[A-Za-z0-9]{2,5}$/.test(path.split("/").pop() ?? "")) return { value: path, index: m.index };
  const dir = path.replace(/\/+$/, "");
  return { value: SCREENSHOT.test(text) ? `${dir}/**/*.png` : `${dir}/**`, index: m.index };
}

const EN_NUMBERS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  fifty: 50,
  hundred: 100,
  twice: 2,
};
const CN_DIGITS: Record<string, number> = {
  零: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** "3", "three", "三", "十二", "二十" → number. */
export function readNumber(word: string): number | undefined {
  const w = word.trim().toLowerCase();
  if (/^\d{1,6}$/.test(w)) return Number(w);
  if (w in EN_NUMBERS) return EN_NUMBERS[w];
  if (/^[零一二两三四五六七八九十百]+$/.test(w)) {
    if (w === "十") return 10;
    const ten = w.indexOf("十");
    if (ten >= 0) {
      const tens = ten === 0 ? 1 : CN_DIGITS[w.slice(0, ten)];
      const ones = w.length > ten + 1 ? CN_DIGITS[w.slice(ten + 1)] : 0;
      return tens !== undefined && ones !== undefined ? tens * 10 + ones : undefined;
    }
    return w.length === 1 ? CN_DIGITS[w] : undefined;
  }
  return undefined;
}

const NUM =
  "(\\d{1,6}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|fifty|hundred)";
const CN_NUM = "(\\d{1,6}|[零一二两三四五六七八九十百]{1,4})";

const REPEATED: RegExp[] = [
  new RegExp(`\\b${NUM}\\s+(?:consecutive|successive|straight)\\b`, "i"),
  new RegExp(`\\b${NUM}\\s+times\\s+in\\s+a\\s+row\\b`, "i"),
  new RegExp(`\\b${NUM}\\s+(?:failures|failed\\s+(?:rounds|runs|attempts))\\s+in\\s+a\\s+row\\b`, "i"),
  new RegExp(`\\bsame\\s+(?:\\w+\\s+)?(?:failure|error)s?\\s+${NUM}\\s+times\\b`, "i"),
  new RegExp(`\\bfails?\\s+${NUM}\\s+times\\b`, "i"),
  new RegExp(`连续\\s*${CN_NUM}\\s*(?:次|轮|回)`),
  new RegExp(`同一(?:个)?(?:错误|失败).{0,6}?${CN_NUM}\\s*次`),
];

const ROUNDS: RegExp[] = [
  new RegExp(
    `\\b(?:at\\s+most|no\\s+more\\s+than|max(?:imum)?(?:\\s+of)?|after|more\\s+than|over|beyond)\\s+${NUM}\\s+rounds?\\b`,
    "i",
  ),
  new RegExp(`\\b${NUM}\\s+rounds?\\s+(?:at\\s+most|max(?:imum)?)\\b`, "i"),
  new RegExp(`(?:最多|至多|超过|不超过)\\s*${CN_NUM}\\s*轮`),
  new RegExp(`${CN_NUM}\\s*轮(?:之后|以后|后|以上)`),
];

const BUDGET: RegExp[] = [
  /\b(?:budget(?:\s+of)?|after|more\s+than|over|exceeds?|longer\s+than)\s+(\d{1,5})\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h)\b/i,
  /(?:超过|预算|用时超过)\s*(\d{1,5})\s*(秒|分钟|小时)/,
];

function firstNumber(text: string, patterns: readonly RegExp[]): number | undefined {
  for (const p of patterns) {
    const m = p.exec(text);
    const n = m?.[1] === undefined ? undefined : readNumber(m[1]);
    if (n !== undefined && n > 0) return n;
  }
  return undefined;
}

export function findRepeatedFailure(text: string): number | undefined {
  return firstNumber(text, REPEATED);
}

export function findMaxRounds(text: string): number | undefined {
  return firstNumber(text, ROUNDS);
}

export function findBudgetMs(text: string): number | undefined {
  for (const p of BUDGET) {
    const m = p.exec(text);
    if (!m) continue;
    const ms = parseDuration(`${m[1]}${m[2]}`);
    if (ms !== undefined && ms > 0) return ms;
  }
  return undefined;
}

export function mentionsForbidden(text: string): boolean {
  return /\bforbidden\b|禁止/i.test(text);
}

/** `30m`, `2h`, `90s`, `1d` → ms; undefined if it is not a duration. */
export function durationMs(text: string): number | undefined {
  const n = parseDuration(text);
  return n !== undefined && n > 0 ? n : undefined;
}
