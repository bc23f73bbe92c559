import type { Standing } from "./build.js";
import { roundsOpen } from "./problems.js";

export type StandingLanguage = "en" | "zh";

const LABELS = {
  en: {
    heading: "Standing",
    note: (round: number) =>
      `Rewritten by worksite after each round (now after round ${round}). Decisions come from the audit log; no agent writes this section.`,
    goal: "Goal",
    stage: "Stage",
    state: "State",
    involved: "People and systems",
    people: "people",
    hosts: "hosts",
    apps: "apps",
    repositories: "repositories",
    files: "files changed",
    decisions: "Decisions",
    open: "Open problems",
    closed: "Recently closed",
    artifacts: "Artifacts that matter",
    next: "On the next wake",
    wakeAt: "next wake",
    stops: "Stop conditions",
    none: "none",
    since: (p: { firstRound: number }, n: number) =>
      `since round ${p.firstRound}, open ${n} ${n === 1 ? "round" : "rounds"}`,
    proposed: "proposed by the agent",
    earlier: (n: number) =>
      `… ${n} earlier ${n === 1 ? "decision" : "decisions"} in the audit log (\`worksite audit tail\`)`,
  },
  zh: {
    heading: "现状",
    note: (round: number) =>
      `每轮结束后由 worksite 重写（当前：第 ${round} 轮之后）。决定取自审计日志；代理不写这一节。`,
    goal: "目标",
    stage: "阶段",
    state: "状态",
    involved: "人员与系统",
    people: "人员",
    hosts: "主机",
    apps: "应用",
    repositories: "代码库",
    files: "改动的文件",
    decisions: "决定",
    open: "未解决问题",
    closed: "最近解决",
    artifacts: "重要产物",
    next: "下次唤醒检查",
    wakeAt: "下次唤醒",
    stops: "停止条件",
    none: "无",
    since: (p: { firstRound: number }, n: number) => `自第 ${p.firstRound} 轮起，已 ${n} 轮`,
    proposed: "代理提议",
    earlier: (n: number) => `… 审计日志中还有 ${n} 条更早的决定（\`worksite audit tail\`）`,
  },
} as const;

/** Decisions shown in full; older ones are counted and left to the audit log (a long thread's PROGRESS.md stays readable). */
export const DECISIONS_SHOWN = 30;
const FILES_SHOWN = 15;

const bullets = (items: string[], none: string) => (items.length ? items.map((i) => `- ${i}`) : [`- ${none}`]);

/**
 * The standing state as markdown: the `## Standing` section at the top of PROGRESS.md, what
 * `worksite report --standing` prints and what the agent reads at the start of a round.
 */
export function renderStanding(s: Standing, options: { language?: StandingLanguage; auditLink?: string } = {}): string {
  const l = LABELS[options.language ?? "en"];
  const link = (seq: number, line: number) =>
    options.auditLink ? `[audit #${seq}](${options.auditLink}#L${line})` : `audit #${seq}`;
  const counted = (pairs: [string, number][]) => pairs.map(([name, n]) => `${name} (${n})`).join(", ");
  const involved = [
    ...(s.people.length ? [`${l.people}: ${counted(s.people)}`] : []),
    ...(s.hosts.length ? [`${l.hosts}: ${counted(s.hosts.slice(0, 10))}`] : []),
    ...(s.apps.length ? [`${l.apps}: ${counted(s.apps.slice(0, 10))}`] : []),
    ...(s.repositories.length ? [`${l.repositories}: ${s.repositories.join(", ")}`] : []),
    ...(s.files.length
      ? [
          `${l.files}: ${s.files
            .slice(0, FILES_SHOWN)
            .map((f) => `\`${f}\``)
            .join(", ")}${s.files.length > FILES_SHOWN ? ` … (+${s.files.length - FILES_SHOWN})` : ""}`,
        ]
      : []),
  ];
  const shown = s.decisions.slice(-DECISIONS_SHOWN);
  const decisions = [
    ...(s.decisions.length > shown.length ? [l.earlier(s.decisions.length - shown.length)] : []),
    ...shown.map(
      (d) =>
        `${d.time.slice(0, 16).replace("T", " ")}${d.round !== undefined ? ` (round ${d.round})` : ""} — ${d.actor}: ${d.what} — ${link(d.seq, d.line)}`,
    ),
  ];
  const open = s.open.map((p) => `**${p.id}** ${p.text} — ${l.since(p, roundsOpen(p, s.round))}`);
  const closed = s.recentlyClosed.map(
    (p) =>
      `~~${p.id}~~ ${p.text} — ${p.closed?.how}${p.closed?.audit !== undefined ? ` (audit #${p.closed.audit})` : ""}; ${openRounds(p, s.round)}`,
  );
  const next = s.nextWake.map((n) => `[ ] ${n.text}${n.from === "agent" ? ` _(${l.proposed})_` : ""}`);
  return [
    `## ${l.heading}`,
    "",
    `_${l.note(s.round)}_`,
    "",
    `**${l.goal}:** ${s.goal || "—"}  `,
    `**${l.stage}:** ${s.stage} · **${l.state}:** ${s.state} (round ${s.round})${s.wakeAt ? ` · **${l.wakeAt}:** ${s.wakeAt}` : ""}`,
    "",
    `### ${l.involved}`,
    ...bullets(involved, l.none),
    "",
    `### ${l.decisions}`,
    ...bullets(decisions, l.none),
    "",
    `### ${l.open}`,
    ...bullets(open, l.none),
    ...(closed.length ? ["", `${l.closed}:`, ...bullets(closed, l.none)] : []),
    "",
    `### ${l.artifacts}`,
    ...bullets(
      s.artifacts.map((a) => `${a.kind}: [${a.path}](${a.path}) (round ${a.round})`),
      l.none,
    ),
    "",
    `### ${l.next}`,
    ...bullets(next, l.none),
    "",
    `### ${l.stops}`,
    ...bullets(s.stops, l.none),
    "",
  ].join("\n");
}

/** "open rounds 2–3", or "open in round 2" when it lasted one round. */
function openRounds(p: Standing["open"][number], round: number): string {
  const last = Math.max(p.firstRound, (p.closed?.round ?? round + 1) - 1);
  return last === p.firstRound ? `open in round ${p.firstRound}` : `open rounds ${p.firstRound}–${last}`;
}

/** THREAD.md or GOAL.md written with Chinese headings gets the standing state in Chinese. */
export function standingLanguage(threadText: string, goalText = ""): StandingLanguage {
  return /^#{1,6}\s*(负责|不负责|先读|每轮|暂停|目标|范围|验证)/m.test(`${threadText}\n${goalText}`) ? "zh" : "en";
}
