import { z } from "zod";
import type { Item, ThreadFile } from "./types.js";
import type { Collector } from "./diagnostics.js";
import { normalizeText, readFrontmatter, validateFrontmatter } from "./frontmatter.js";
import { type ParseOptions, type ParseResult, runParser, unwrap } from "./parse-result.js";
import { type BodyItem, lookupLabel, splitSections, vocabulary } from "./sections.js";
import { warnUnknownLabels } from "./unknown-labels.js";
import { didYouMean } from "./did-you-mean.js";
import { wakeProblem } from "./wake.js";
import { DEFAULT_SAME_FAILURE, parsePromotionCondition, ROLLOUT_STAGES } from "./rollout.js";
import { parseDuration } from "../text/duration.js";
import { isValidPackageName } from "./npm-name.js";

const looksLikePath = (s: string) =>
  /^(\.|\/|~|file:|[A-Za-z]:)/.test(s) || s.includes("\\") || /\.[cm]?[jt]s$/.test(s);
import { SANDBOX_SETTING_HINT, sandboxSettingSchema } from "../sandbox/settings.js";

type ThreadSection = "owns" | "doesNotOwn" | "readFirst" | "deliverEachRound" | "pauseWhen";

export const THREAD_SECTIONS = vocabulary<ThreadSection>({
  owns: ["owns", "own", "i own", "you own", "owned", "responsible for", "负责", "负责范围"],
  doesNotOwn: ["does not own", "doesn't own", "do not own", "don't own", "not owned", "not responsible for", "不负责"],
  readFirst: ["read first", "read before starting", "start by reading", "先读", "先阅读", "先看"],
  deliverEachRound: [
    "deliver each round",
    "deliver every round",
    "each round deliver",
    "deliverables",
    "每轮结束要交付",
    "每轮交付",
    "每轮结束交付",
    "每轮要交付",
  ],
  pauseWhen: [
    "pause when",
    "pause",
    "stop when",
    "stop if",
    "pause conditions",
    "stop conditions",
    "暂停条件",
    "暂停",
    "何时暂停",
    "停止条件",
    "终止条件",
    "何时停止",
  ],
});

const THREAD_LABELS =
  "owns, does not own, read first, deliver each round, pause when (or 负责, 不负责, 先读, 每轮结束要交付, 暂停条件)";

const SETTINGS = [
  "plugins",
  "stage",
  "wake",
  "agent",
  "memory",
  "sandbox",
  "pinned",
  "chrome",
  "rollout",
  "notify",
] as const;
const WAKE_SETTINGS = ["schedule", "expires", "pinned"] as const;
const ROLLOUT_SETTINGS = ["monitor", "draft", "incidents"] as const;
/** The agents a run can start (runtime's agentKinds); anything else fails only when the run begins. */
export const AGENT_KINDS = ["script", "openai", "command"] as const;
const MEMORY_SETTINGS = ["path", "remote", "autoAccept"] as const;
/** `chrome:` — how @worksite/plugin-chrome reaches the person's Chrome (issue 14); absent means the extension bridge. */
const CHROME_SETTINGS = ["browserUrl", "autoConnect", "name", "idleSeconds", "connectSeconds"] as const;

/** A plugin is a package name, or a local file a person vouches for with `trust: local` (issue 20). */
const pluginEntry = z.union(
  [
    z.string().min(1, "must not be empty"),
    z.strictObject({
      path: z.string().min(1),
      trust: z.literal("local", { error: "a local plugin needs `trust: local`" }),
    }),
  ],
  {
    error: "expected a package name, or { path: …, trust: local } for a local plugin file",
  },
);
const pluginList = z.preprocess(
  (v) => (typeof v === "string" || (v && typeof v === "object" && !Array.isArray(v)) ? [v] : v),
  z.array(pluginEntry, { error: "expected a list of plugin package names" }),
);

const durationText = z.string({ error: "expected a time such as 30d" }).superRefine((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0) ctx.addIssue({ code: "custom", message: `"${v}" is not a time such as 30d` });
});
const promotionText = z
  .preprocess((v) => (typeof v === "number" ? String(v) : v), z.string({ error: "expected e.g. 7d or 10 clean wakes" }))
  .superRefine((v, ctx) => {
    const c = parsePromotionCondition(v);
    if (typeof c === "string") ctx.addIssue({ code: "custom", message: c });
  });

const wakeSchedule = z
  .preprocess(
    (v) => (typeof v === "number" ? String(v) : v),
    z.string({ error: "expected an interval such as 30m, a cron expression or an ISO time" }),
  )
  .superRefine((v, ctx) => {
    const problem = wakeProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const threadSettings = z.strictObject({
  plugins: pluginList.optional(),
  stage: z.enum(["monitor", "draft", "write"], { error: "expected monitor, draft or write" }).optional(),
  wake: z
    .union(
      [
        wakeSchedule,
        z.strictObject({
          schedule: wakeSchedule,
          expires: durationText.optional(),
          pinned: z.boolean({ error: "expected true or false" }).optional(),
        }),
      ],
      {
        error: "expected a schedule such as 30m, or { schedule, expires, pinned }",
      },
    )
    .optional(),
  rollout: z
    .strictObject(
      {
        monitor: promotionText.optional(),
        draft: promotionText.optional(),
        incidents: z
          .number({ error: "expected how many wakes in a row the same verification may fail" })
          .int()
          .min(1)
          .optional(),
      },
      { error: "expected { monitor: 7d or 10 clean wakes, draft: 10 clean wakes }" },
    )
    .optional(),
  notify: z.string({ error: "expected a command to run when a wake needs a person" }).min(1).optional(),
  agent: z
    .union([z.string().min(1), z.looseObject({ kind: z.string({ error: "an agent needs a `kind`" }).min(1) })], {
      error: "expected an agent kind such as `script`, or { kind: …, … }",
    })
    .optional(),
  memory: z
    .preprocess(
      (v) => (typeof v === "string" ? { path: v } : v),
      z.strictObject(
        {
          path: z.string().min(1).default("memory"),
          remote: z.string().min(1).optional(),
          autoAccept: z.boolean({ error: "expected true or false" }).optional(),
        },
        { error: "expected a folder path, or { path, remote, autoAccept }" },
      ),
    )
    .optional(),
  sandbox: sandboxSettingSchema.optional(),
  pinned: z.boolean({ error: "expected true or false" }).optional(),
  chrome: z
    .strictObject(
      {
        browserUrl: z
          .url({ error: "expected the http://host:port of a Chrome started with --remote-debugging-port" })
          .optional(),
        autoConnect: z.string().min(1, "expected a Chrome profile folder").optional(),
        name: z.string().min(1).max(100).optional(),
        idleSeconds: z.number({ error: "expected a number of seconds" }).int().min(1).max(3600).optional(),
        connectSeconds: z.number({ error: "expected a number of seconds" }).int().min(1).max(600).optional(),
      },
      { error: "expected { browserUrl: …, autoConnect: …, name: …, idleSeconds: …, connectSeconds: … }" },
    )
    .refine((c) => !(c.browserUrl && c.autoConnect), { error: "give browserUrl or autoConnect, not both" })
    .optional(),
});

const HINTS: Record<string, string> = {
  plugins:
    "list plugin package names, e.g. `plugins: [browser]`; a local plugin file is `{ path: ./x.mjs, trust: local }`",
  stage: "stage is one of monitor (read only), draft (nothing is sent) or write",
  wake: "use an interval such as `30m`, a cron expression such as `0 9 * * 1-5 Europe/Berlin`, an ISO time such as `2026-12-24T09:00:00Z`, or { schedule, expires: 30d, pinned: true }",
  rollout: "e.g. `rollout: { monitor: 7d or 10 clean wakes, draft: 10 clean wakes, incidents: 3 }`",
  notify: 'a command run on wake results that need a person, e.g. `notify: notify-send "worksite"`',
  agent: "e.g. `agent: script`, or `agent: { kind: command, command: codex exec }`",
  memory: "e.g. `memory: { path: memory, remote: origin }`",
  sandbox: SANDBOX_SETTING_HINT,
  pinned: "`pinned: true` lists this thread first in `worksite threads`",
  chrome:
    "e.g. `chrome: { browserUrl: http://127.0.0.1:9222 }` or `chrome: { autoConnect: ~/.config/chrome-debug }`; leave it out for the extension bridge",
};

/** Parses THREAD.md. `stage` defaults to `write` when not given: the rules in PERMISSIONS.md still decide every call. */
export function safeParseThread(text: string, options: ParseOptions): ParseResult<ThreadFile> {
  return runParser(options.file, (d) => parseThreadWith(text, options.file, d));
}

export function parseThread(text: string, options: ParseOptions): ThreadFile {
  return unwrap(safeParseThread(text, options), options.file);
}

function parseThreadWith(input: string, file: string, d: Collector): ThreadFile {
  const fm = readFrontmatter(normalizeText(input), d);
  const settings =
    validateFrontmatter(
      threadSettings,
      fm,
      d,
      {
        "": SETTINGS,
        memory: MEMORY_SETTINGS,
        chrome: CHROME_SETTINGS,
        wake: WAKE_SETTINGS,
        rollout: ROLLOUT_SETTINGS,
      },
      HINTS,
    ) ?? {};
  const body = splitSections(fm.body, fm.bodyLine, (label) => lookupLabel(label, THREAD_SECTIONS));
  warnUnknownLabels(body, THREAD_SECTIONS, d, "THREAD.md", THREAD_LABELS);

  const thread: ThreadFile = {
    file,
    plugins: [],
    stage: settings.stage ?? "write",
    owns: [],
    doesNotOwn: [],
    readFirst: [],
    deliverEachRound: [],
    pauseWhen: [],
  };
  (settings.plugins ?? []).forEach((entry, i) => {
    const at = fm.locate(["plugins", i]);
    if (typeof entry !== "string") {
      (thread.localPlugins ??= []).push({
        path: entry.path,
        trust: "local",
        source: { file, line: at.line, column: at.column },
      });
      return;
    }
    // A path here used to be imported in-process by `check` and `permissions explain`: refused before anything loads.
    if (!isValidPackageName(entry))
      d.error(
        at.line,
        at.column,
        `plugin \`${entry}\` is ${looksLikePath(entry) ? "a path" : "not a package name"}; plugins: names npm packages`,
        `name an installed package (e.g. browser, @acme/worksite-plugin-x); a plugin file of your own needs { path: ${JSON.stringify(entry)}, trust: local }, written by a person`,
      );
    else thread.plugins.push(entry);
  });
  if (settings.wake !== undefined) {
    const wake = typeof settings.wake === "string" ? { schedule: settings.wake } : settings.wake;
    thread.wake = wake.schedule.trim();
    const at = fm.locate(["wake"]);
    thread.wakeSource = { file, line: at.line, column: at.column };
    const expires = wake.expires !== undefined ? parseDuration(wake.expires) : undefined;
    if (expires !== undefined || wake.pinned !== undefined)
      thread.wakeOptions = {
        ...(expires !== undefined ? { expiresMs: expires } : {}),
        ...(wake.pinned !== undefined ? { pinned: wake.pinned } : {}),
      };
  }
  if (settings.rollout !== undefined) {
    const earn: NonNullable<ThreadFile["rollout"]>["earn"] = {};
    for (const stage of ["monitor", "draft"] as const) {
      const text = settings.rollout[stage];
      const condition = text !== undefined ? parsePromotionCondition(text) : undefined;
      if (condition && typeof condition !== "string") earn[stage] = condition;
    }
    thread.rollout = {
      stages: ROLLOUT_STAGES,
      earn,
      sameFailure: settings.rollout.incidents ?? DEFAULT_SAME_FAILURE,
    };
  }
  if (settings.notify !== undefined) thread.notify = settings.notify;
  if (settings.pinned) thread.pinned = true;
  if (settings.agent !== undefined) {
    thread.agent = typeof settings.agent === "string" ? { kind: settings.agent } : settings.agent;
    const kind = thread.agent.kind;
    if (!(AGENT_KINDS as readonly string[]).includes(kind)) {
      const at = fm.locate(typeof settings.agent === "string" ? ["agent"] : ["agent", "kind"]);
      const guess = didYouMean(kind, AGENT_KINDS);
      d.error(
        at.line,
        at.column,
        `unknown agent kind \`${kind}\``,
        `${guess ? `did you mean \`${guess}\`? ` : ""}the agent is one of: ${AGENT_KINDS.join(", ")}`,
      );
    }
  }
  if (settings.memory !== undefined) thread.memory = withoutUndefined(settings.memory);
  if (settings.chrome !== undefined)
    thread.chrome = { ...withoutUndefined(settings.chrome), line: fm.locate(["chrome"]).line };
  if (settings.sandbox !== undefined) thread.sandbox = { ...settings.sandbox, line: fm.locate(["sandbox"]).line };
  if (body.title) thread.title = body.title.text;

  for (const section of body.sections) {
    if (!section.key) {
      d.warn(
        section.line,
        section.column,
        `unknown section "${section.label}" is ignored`,
        `THREAD.md sections are: ${THREAD_LABELS}`,
      );
      continue;
    }
    for (const i of section.items) thread[section.key as ThreadSection].push(toItem(i, file));
  }
  return thread;
}

export function toItem(i: BodyItem, file: string): Item {
  return { text: i.text, source: { file, line: i.line, column: i.column } };
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
