import { z } from "zod";
import type { SourceLocation } from "../errors.js";
import type { Collector } from "./diagnostics.js";
import { normalizeText, readFrontmatter, validateFrontmatter } from "./frontmatter.js";
import {
  durationMs,
  findArtifactGlob,
  findBudgetMs,
  findCommands,
  findMaxRounds,
  findRepeatedFailure,
  mentionsForbidden,
} from "./goal-prose.js";
import { type ParseOptions, type ParseResult, runParser, unwrap } from "./parse-result.js";
import { warnUnknownLabels } from "./unknown-labels.js";
import { toItem } from "./parse-thread.js";
import { type BodyItem, lookupLabel, splitSections, vocabulary } from "./sections.js";
import type { GoalFile, Item, VerifyItem } from "./types.js";

type GoalSection = "goal" | "requirements" | "scope" | "verify" | "eachRound" | "pause";

export const GOAL_SECTIONS = vocabulary<GoalSection>({
  goal: ["goal", "the goal", "objective", "目标"],
  requirements: ["requirements", "requirement", "must", "要求", "需求"],
  scope: ["scope", "in scope", "must not change", "do not change", "范围", "不得改动", "不要改动"],
  verify: ["verify", "verification", "how to verify", "done when", "checks", "验证", "验证方式", "验收", "验收标准"],
  eachRound: [
    "each round",
    "every round",
    "each round output",
    "output each round",
    "per round",
    "每轮输出",
    "每轮",
    "每轮产出",
  ],
  pause: [
    "pause",
    "pause when",
    "pause conditions",
    "stop when",
    "stop if",
    "stop conditions",
    "暂停条件",
    "暂停",
    "何时暂停",
    "停止条件",
    "终止条件",
    "何时停止",
  ],
});

const GOAL_LABELS =
  "goal, requirements, scope, verify, each round, pause / stop when (or 目标, 要求, 范围, 验证, 每轮输出, 暂停条件 / 停止条件)";

const SETTINGS = ["verify", "pause", "protect", "steps", "vars"] as const;
const STEP_SETTINGS = ["tool", "input", "on", "note"] as const;
const PAUSE_SETTINGS = ["repeatedFailure", "maxRounds", "onForbidden", "budget", "pendingApprovals"] as const;

const count = (what: string) =>
  z
    .number({ error: `expected a whole number of ${what}` })
    .int(`expected a whole number of ${what}`)
    .min(1, "must be at least 1");

const verifyEntry = z.union(
  [
    z.string().trim().min(1),
    z.strictObject({ command: z.string().trim().min(1) }),
    z.strictObject({ artifact: z.string().trim().min(1) }),
  ],
  { error: "expected a command, or `artifact: <glob>`" },
);

const goalSettings = z.strictObject({
  verify: z
    .preprocess(
      (v) => (typeof v === "string" ? [v] : v),
      z.array(verifyEntry, { error: "expected a list of commands and `artifact: <glob>` entries" }),
    )
    .optional(),
  pause: z
    .strictObject(
      {
        repeatedFailure: count("failures").optional(),
        maxRounds: count("rounds").optional(),
        pendingApprovals: count("approval requests").optional(),
        onForbidden: z.enum(["pause", "continue"], { error: "expected pause or continue" }).optional(),
        budget: z
          .string({ error: "expected a duration such as 2h or 30m" })
          .refine((v) => durationMs(v) !== undefined, "expected a duration such as 2h or 30m")
          .optional(),
      },
      { error: "expected settings such as { repeatedFailure: 3, maxRounds: 20 }" },
    )
    .optional(),
  protect: z
    .preprocess(
      (v) => (typeof v === "string" ? [v] : v),
      z.array(z.string().trim().min(1), { error: "expected a list of path globs" }),
    )
    .optional(),
  steps: z
    .array(
      z.strictObject(
        {
          tool: z
            .string({ error: "a step needs a tool" })
            .regex(/^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/, "expected a tool id such as browser.open or shell.run"),
          input: z
            .record(z.string(), z.unknown(), { error: "expected the tool's input as key: value settings" })
            .default({}),
          on: z
            .enum(["always", "first-round", "verify-failed", "verify-passed"], {
              error: "expected always, first-round, verify-failed or verify-passed",
            })
            .default("always"),
          note: z.string().optional(),
        },
        { error: "expected a step: { tool: shell.run, input: { … } }" },
      ),
      { error: "expected a list of steps" },
    )
    .optional(),
  vars: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String), {
      error: "expected name: value pairs",
    })
    .optional(),
});

const HINTS: Record<string, string> = {
  verify: "e.g.\n  verify:\n    - npm test\n    - artifact: artifacts/round-*/*.png",
  pause: "e.g. `pause: { repeatedFailure: 3, maxRounds: 20, onForbidden: pause, budget: 2h }`",
  "pause.budget": "write a duration: 90s, 30m, 2h or 1d",
  protect: "list path globs that must not change, e.g. `protect: [migrations/**, .env]`",
  steps: "each step is { tool: plugin.tool, input: { … }, on: always | first-round | verify-failed | verify-passed }",
  vars: "e.g. `vars: { url: http://localhost:3000 }`, used as {{url}} in steps",
};

export function safeParseGoal(text: string, options: ParseOptions): ParseResult<GoalFile> {
  return runParser(options.file, (d) => parseGoalWith(text, options.file, d));
}

export function parseGoal(text: string, options: ParseOptions): GoalFile {
  return unwrap(safeParseGoal(text, options), options.file);
}

function parseGoalWith(input: string, file: string, d: Collector): GoalFile {
  const fm = readFrontmatter(normalizeText(input), d);
  const settings =
    validateFrontmatter(goalSettings, fm, d, { "": SETTINGS, pause: PAUSE_SETTINGS, ...stepKeys(fm.data) }, HINTS) ??
    {};
  const body = splitSections(fm.body, fm.bodyLine, (label) => lookupLabel(label, GOAL_SECTIONS));
  warnUnknownLabels(body, GOAL_SECTIONS, d, "GOAL.md", GOAL_LABELS);
  const at = (i: BodyItem): SourceLocation => ({ file, line: i.line, column: i.column });

  const goal: GoalFile = {
    file,
    goal: "",
    requirements: [],
    scope: [],
    verify: [],
    eachRound: [],
    pause: { onForbidden: "pause", manual: [] },
    protect: settings.protect ?? [],
    steps: [],
    vars: settings.vars ?? {},
  };
  (settings.steps ?? []).forEach((step, index) => {
    const where = fm.locate(["steps", index]);
    goal.steps.push({
      tool: step.tool,
      input: step.input,
      on: step.on,
      ...(step.note !== undefined ? { note: step.note } : {}),
      source: { file, line: where.line, column: where.column },
    });
  });

  // Frontmatter settings come first and win over the same thing said in prose.
  (settings.verify ?? []).forEach((entry, index) => {
    const where = fm.locate(["verify", index]);
    const source = { file, line: where.line, column: where.column };
    if (typeof entry === "object" && "artifact" in entry)
      goal.verify.push({ kind: "artifact", glob: entry.artifact, source });
    else if (typeof entry === "object") goal.verify.push({ kind: "command", command: entry.command, source });
    else {
      const artifact = /^artifacts?\s*:\s*(.+)$/.exec(entry);
      goal.verify.push(
        artifact
          ? { kind: "artifact", glob: artifact[1]!.trim(), source }
          : { kind: "command", command: entry, source },
      );
    }
  });
  const fromSettings = settings.pause ?? {};
  if (fromSettings.repeatedFailure !== undefined) goal.pause.repeatedFailure = fromSettings.repeatedFailure;
  if (fromSettings.maxRounds !== undefined) {
    goal.pause.maxRounds = fromSettings.maxRounds;
    const where = fm.locate(["pause", "maxRounds"]);
    goal.pause.maxRoundsFrom = { source: { file, line: where.line, column: where.column } };
  }
  if (fromSettings.onForbidden !== undefined) goal.pause.onForbidden = fromSettings.onForbidden;
  if (fromSettings.budget !== undefined) goal.pause.budgetMs = durationMs(fromSettings.budget);
  if (fromSettings.pendingApprovals !== undefined) goal.pause.pendingApprovals = fromSettings.pendingApprovals;

  // `/goal <text>` (as typed to an agent) and the items under it.
  let slashGoal: { text: string; source: SourceLocation } | undefined;
  let afterSlash = false;
  for (const i of body.preamble) {
    const m = /^\/goal(?:\s+(.*))?$/i.exec(i.text);
    if (m && !slashGoal) {
      slashGoal = { text: (m[1] ?? "").trim(), source: at(i) };
      afterSlash = true;
    } else if (afterSlash && slashGoal && slashGoal.text === "") {
      slashGoal = { text: i.text, source: at(i) };
    } else if (afterSlash) goal.requirements.push(toItem(i, file));
  }

  const goalSections = body.sections.filter((s) => s.key === "goal");
  const goalItems = goalSections.flatMap((s) => s.items);
  if (slashGoal && slashGoal.text !== "") {
    goal.goal = slashGoal.text;
    goal.goalSource = slashGoal.source;
    if (goalItems.length)
      d.warn(
        goalSections[0]!.line,
        1,
        "the goal is given twice; the `/goal` line is used",
        "keep one: the `/goal` line or the goal section",
      );
  } else if (goalItems.length) {
    const prose = goalItems.filter((i) => !i.bullet);
    const stated = prose.length ? prose : goalItems.slice(0, 1);
    goal.goal = stated.map((i) => i.text).join(" ");
    goal.goalSource = at(stated[0]!);
    // A Set, not stated.includes(): a goal section of 100,000 lines must not cost 10^10 comparisons.
    const statedItems = new Set(stated);
    for (const i of goalItems) if (!statedItems.has(i)) goal.requirements.push(toItem(i, file));
  } else {
    d.error(
      fm.bodyLine,
      1,
      "GOAL.md states no goal",
      "add a `## Goal` section (or `目标：`), or start the file with a line `/goal <what done looks like>`",
    );
  }

  for (const section of body.sections) {
    const items = section.items;
    switch (section.key) {
      case "goal":
        break;
      case "requirements":
        for (const i of items) goal.requirements.push(toItem(i, file));
        break;
      case "scope":
        for (const i of items) goal.scope.push(toItem(i, file));
        break;
      case "verify":
        for (const i of items) addVerify(goal.verify, i, at(i));
        break;
      case "eachRound":
        for (const i of items) {
          goal.eachRound.push(toItem(i, file));
          const artifact = findArtifactGlob(i.text);
          if (artifact) addUnique(goal.verify, { kind: "artifact", glob: artifact.value, source: at(i) });
        }
        break;
      case "pause":
        for (const i of items) readPause(goal, i, toItem(i, file), fromSettings);
        break;
      default:
        d.warn(
          section.line,
          section.column,
          `unknown section "${section.label}" is ignored`,
          `GOAL.md sections are: ${GOAL_LABELS}`,
        );
    }
  }
  return goal;
}

/** Unknown-key suggestions for each step (`steps.0`, `steps.1`, …). */
function stepKeys(data: Record<string, unknown>): Record<string, readonly string[]> {
  const steps = Array.isArray(data.steps) ? data.steps : [];
  return Object.fromEntries(steps.map((_, i) => [`steps.${i}`, STEP_SETTINGS]));
}

function addVerify(list: VerifyItem[], i: BodyItem, source: SourceLocation): void {
  if (i.fenced) {
    const command = i.text.replace(/^\$\s+/, "").trim();
    if (command && !command.startsWith("#")) addUnique(list, { kind: "command", command, source });
    return;
  }
  let enforced = false;
  for (const c of findCommands(i.text)) {
    addUnique(list, {
      kind: "command",
      command: c.value,
      source: { ...source, column: (source.column ?? 1) + c.index },
    });
    enforced = true;
  }
  const artifact = findArtifactGlob(i.text);
  if (artifact) {
    addUnique(list, {
      kind: "artifact",
      glob: artifact.value,
      source: { ...source, column: (source.column ?? 1) + artifact.index },
    });
    enforced = true;
  }
  if (!enforced) list.push({ kind: "manual", text: i.text, source });
}

function addUnique(list: VerifyItem[], item: VerifyItem): void {
  const same = list.some(
    (x) =>
      (x.kind === "command" && item.kind === "command" && x.command === item.command) ||
      (x.kind === "artifact" && item.kind === "artifact" && x.glob === item.glob),
  );
  if (!same) list.push(item);
}

function readPause(
  goal: GoalFile,
  i: BodyItem,
  item: Item,
  settings: { repeatedFailure?: number; maxRounds?: number; budget?: string },
): void {
  const p = goal.pause;
  let enforced = false;
  const repeated = findRepeatedFailure(i.text);
  if (repeated !== undefined) {
    if (settings.repeatedFailure === undefined && p.repeatedFailure === undefined) p.repeatedFailure = repeated;
    enforced = true;
  }
  const rounds = findMaxRounds(i.text);
  if (rounds !== undefined) {
    if (settings.maxRounds === undefined && p.maxRounds === undefined) {
      p.maxRounds = rounds;
      p.maxRoundsFrom = { source: item.source, text: i.text };
    }
    enforced = true;
  }
  const budget = findBudgetMs(i.text);
  if (budget !== undefined) {
    if (settings.budget === undefined && p.budgetMs === undefined) p.budgetMs = budget;
    enforced = true;
  }
  // Pausing on a forbidden action is what the runtime does by default; saying so is enforced.
  if (mentionsForbidden(i.text)) enforced = true;
  if (!enforced) p.manual.push(item);
}
