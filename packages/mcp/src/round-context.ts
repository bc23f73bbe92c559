import type { ApprovalRecord, Tier, VerifyItem, Worksite } from "@worksite/core";

const TIER_ORDER: Tier[] = ["forbidden", "confirm", "draft", "read-only", "allow"];
const TIER_LABEL: Record<Tier, string> = {
  forbidden: "Forbidden (refused, always)",
  confirm: "Requires a person's approval",
  draft: "Drafted, never sent",
  "read-only": "Read-only",
  allow: "Allowed",
};

export interface RoundContextInput {
  worksite: Worksite;
  run: string;
  round: number;
  openApprovals: ApprovalRecord[];
  /** Where the thread's rounds stand, one line (the MCP prompt reads it from the thread's state). */
  roundNote?: string;
}

/** What an agent working through MCP should know before it acts this round, as markdown. */
export function renderRoundContext({ worksite, run, round, openApprovals, roundNote }: RoundContextInput): string {
  const { thread, goal, permissions } = worksite;
  const lines: string[] = [
    `# Round ${round} of ${thread.title ?? "this thread"}`,
    "",
    ...(roundNote ? [roundNote, ""] : []),
    `run ${run} · stage ${thread.stage}`,
    "",
  ];
  lines.push("## Goal", "", goal.goal || "(GOAL.md states no goal)", "");
  section(
    lines,
    "Requirements",
    goal.requirements.map((i) => i.text),
  );
  section(lines, "Scope (what must not change)", [
    ...goal.scope.map((i) => i.text),
    ...goal.protect.map((p) => `protected: \`${p}\``),
  ]);
  section(lines, "Verify", goal.verify.map(verifyLine));
  section(lines, "Deliver each round", [
    ...thread.deliverEachRound.map((i) => i.text),
    ...goal.eachRound.map((i) => i.text),
  ]);
  section(
    lines,
    "This thread owns",
    thread.owns.map((i) => i.text),
  );
  section(
    lines,
    "This thread does not own",
    thread.doesNotOwn.map((i) => i.text),
  );
  section(
    lines,
    "Read first",
    thread.readFirst.map((i) => i.text),
  );

  lines.push("## Permissions", "");
  for (const tier of TIER_ORDER) {
    const rules = permissions.rules.filter((r) => r.tier === tier);
    if (rules.length) lines.push(`- ${TIER_LABEL[tier]}: ${rules.map((r) => `\`${r.text}\``).join(", ")}`);
  }
  lines.push(
    `- Anything else: read tools → ${permissions.defaults.read}, local writes → ${permissions.defaults.write}, external actions → ${permissions.defaults.external}`,
  );
  if (thread.stage !== "write")
    lines.push(
      `- Stage \`${thread.stage}\` raises every decision to at least ${thread.stage === "monitor" ? "read-only" : "draft"}.`,
    );
  lines.push("");

  section(
    lines,
    "Open approvals",
    openApprovals.map(
      (a) => `${a.id}: ${a.tool}${a.target ? ` ${a.target}` : ""} — approve with \`worksite approve ${a.id}\``,
    ),
    "none",
  );
  section(lines, "Pause when", [...thread.pauseWhen.map((i) => i.text), ...goal.pause.manual.map((i) => i.text)]);
  lines.push("A refused call names the rule that refused it; do not try to reach the same effect another way.", "");
  return lines.join("\n");
}

function verifyLine(v: VerifyItem): string {
  if (v.kind === "command") return `run \`${v.command}\``;
  if (v.kind === "artifact") return `artifact \`${v.glob}\` exists`;
  return `${v.text} (checked by a person)`;
}

function section(lines: string[], title: string, items: string[], empty?: string): void {
  if (!items.length && empty === undefined) return;
  lines.push(`## ${title}`, "");
  if (!items.length) lines.push(empty!);
  for (const i of items) lines.push(`- ${i}`);
  lines.push("");
}
