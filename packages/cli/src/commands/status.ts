// Subpaths, not the barrels: status reads files and records, and starts as fast as that allows (issue 13 item 3).
import { join } from "node:path";
import { loadWorksite } from "@worksite/core/files";
import { listApprovals, listDrafts, listGrants } from "@worksite/core/records";
import { currentStanding, liveLock, pendingMessages, readState, threadStanding } from "@worksite/runtime/thread-state";
import { wakeStanding } from "@worksite/automations/standing";
import type { ParsedArgv } from "../argv.js";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { type CommandIO, styler } from "../io.js";
import { holdStop, stopExitCode } from "../stop-signals.js";
import { suggestCommand } from "../suggest.js";
import { watchChanges } from "../watch-changes.js";
import { memoryProposalsWaiting } from "./memory-waiting.js";

export default defineCommand({
  name: "status",
  usage: "status [--watch] [--json]",
  summary: "where the thread stands: goal, stage, round, state, last stop, what waits for a person, what is queued",
  options: {
    watch: { type: "boolean", description: "keep showing the status, redrawn whenever it changes, until Ctrl-C" },
  },
  async run(args, io) {
    const root = findWorksite(args, io);
    if (args.options.watch) return watchStatus(root, args, io);
    await printStatus(root, args, io);
    return 0;
  },
});

/**
 * `status --watch`: redraws when the worksite's state changes (fs.watch on the folders a run, the inbox and
 * approvals write to), never on a timer; on a terminal the screen is redrawn, elsewhere each new status is
 * printed after a blank line, only when it differs from the last one.
 */
async function watchStatus(root: string, args: ParsedArgv, io: CommandIO): Promise<number> {
  const state = join(root, ".worksite");
  // Only a watch needs the approvals folder's place: loaded here, not at every `status`'s start.
  const { worksiteStateDir } = await import("@worksite/core");
  const approvals = worksiteStateDir(root, { create: false }, io.env);
  const paths = [
    state,
    join(state, "audit.jsonl"),
    join(state, "inbox"),
    join(state, "approvals"),
    ...(approvals ? [approvals, join(approvals, "approvals")] : []),
    root,
  ];
  let shown = "";
  let drawing: Promise<void> = Promise.resolve();
  const draw = () =>
    (drawing = drawing
      .then(async () => {
        let text = "";
        await printStatus(root, args, { ...io, stdout: (t) => void (text += t) });
        if (text === shown) return;
        io.stdout(io.isTTY ? `\u001b[H\u001b[2J${text}` : `${shown ? "\n" : ""}${text}`);
        shown = text;
      })
      .catch((error: unknown) => io.stderr(`status: ${error instanceof Error ? error.message : String(error)}\n`)));
  // Watching starts before the first draw, so a change made the moment the first status shows is not missed.
  const stopWatching = watchChanges(paths, () => void draw());
  await draw();
  const signal = await new Promise<Parameters<typeof stopExitCode>[0]>((resolve) => {
    const release = holdStop((s) => {
      release();
      resolve(s);
    });
  });
  stopWatching();
  await drawing;
  return signal === "SIGINT" ? 0 : stopExitCode(signal);
}

async function printStatus(root: string, args: ParsedArgv, io: CommandIO): Promise<void> {
  const paint = styler(io.isTTY);
  const worksite = await loadWorksite(root);
  const state = await readState(root);
  // A lock left by a run that is gone (killed) is nobody's: that round was interrupted, not running.
  const standing = threadStanding(state, await liveLock(root));
  const approvals = (await listApprovals(root)).filter((a) => a.status === "pending");
  const drafts = (await listDrafts(root)).filter((d) => d.status === "open");
  const grants = await listGrants(root);
  const steering = await pendingMessages(root, "steer");
  const queued = await pendingMessages(root, "queue");
  const work = await currentStanding(root, worksite, state);
  const proposals = await memoryProposalsWaiting(root, worksite);
  const wakes = await wakeStanding(root, worksite);
  const status = {
    goal: worksite.goal.goal,
    stage: worksite.thread.stage,
    agent: worksite.thread.agent?.kind ?? "script",
    // The same words as the text below: "running" or "interrupted" when that is what the person reads;
    // recordedState keeps state.json's own word.
    ...standing,
    openApprovals: approvals.map((a) => ({
      id: a.id,
      tool: a.tool,
      target: a.target ?? null,
      requestedBy: a.requestedBy,
      created: a.created,
    })),
    drafts: drafts.map((d) => ({ id: d.id, tool: d.tool, summary: d.summary, artifact: d.artifact })),
    grants: grants.map((g) => ({ id: g.id, tool: g.tool, target: g.target, by: g.by })),
    steering: steering.map((m) => ({ id: m.id, text: m.text, by: m.by })),
    queued: queued.map((m) => ({ id: m.id, text: m.text, by: m.by })),
    // The standing state (PROGRESS.md `## Standing`, as of now): `worksite report --standing` prints it whole.
    openProblems: work.open.map((p) => ({ id: p.id, text: p.text, since: p.firstRound })),
    onNextWake: work.nextWake.map((n) => ({ text: n.text, from: n.from })),
    lastDecision: work.decisions.at(-1) ?? null,
    memoryProposals: proposals,
    nextWake: wakes.nextWake
      ? `${wakes.nextWake} (wake: ${wakes.schedule})`
      : wakes.schedule
        ? `${wakes.stopped ?? "none planned"}; \`worksite wake\` wakes it on \`${wakes.schedule}\``
        : "only when someone runs `worksite run` (THREAD.md has no wake:)",
    lastWake: wakes.lastWake,
    unreadWakeResults: wakes.unread,
  };
  if (args.options.json) {
    io.stdout(`${JSON.stringify(status, null, 2)}\n`);
    return;
  }
  const line = (label: string, value: string) => io.stdout(`${paint("bold", label.padEnd(12))} ${value}\n`);
  line("goal", status.goal || "(none)");
  line("stage", status.stage);
  line("agent", status.agent);
  line("round", `${status.round}${status.running ? " finished" : ""}`);
  if (status.running) line("state", `running (round ${status.running.round}, run ${status.running.run})`);
  else if (status.interruptedRound !== null)
    line(
      "state",
      `interrupted in round ${status.interruptedRound}; the next \`${suggestCommand(io, root, "run")}\` redoes it`,
    );
  else line("state", status.state);
  const stop = status.lastStop;
  line("last stop", stop ? (stop.interrupted ? stop.reason : `round ${stop.round}: ${stop.reason}`) : "none yet");
  line("approvals", approvals.length ? `${approvals.length} waiting` : "none waiting");
  for (const a of status.openApprovals)
    io.stdout(`  ${a.id}  ${a.tool} ${a.target ?? ""}   → ${suggestCommand(io, root, `approve ${a.id}`)}\n`);
  line("drafts", drafts.length ? `${drafts.length} open (nothing was sent)` : "none");
  for (const d of status.drafts) io.stdout(`  ${d.id}  ${d.summary}  (${d.artifact})\n`);
  line(
    "memory",
    proposals.length
      ? `${proposals.length} proposal${proposals.length > 1 ? "s" : ""} waiting for review`
      : "no proposals waiting",
  );
  for (const r of proposals)
    io.stdout(
      `  run ${r}   → ${suggestCommand(io, root, `memory diff ${r}`)}, then memory accept ${r} or reject ${r}\n`,
    );
  if (grants.length) line("grants", grants.map((g) => `${g.id} ${g.tool} ${g.target}`).join("; "));
  line("steering", steering.length ? steering.map((m) => `"${m.text}"`).join(", ") : "none pending");
  line("queued", queued.length ? queued.map((m, i) => `${i + 1}. "${m.text}"`).join("  ") : "none");
  line("next wake", status.nextWake);
  if (status.lastWake)
    line(
      "last wake",
      `${status.lastWake.at} ${status.lastWake.outcome}: ${status.lastWake.summary}${wakes.unread ? ` (${wakes.unread} unread: ${suggestCommand(io, root, "inbox")})` : ""}`,
    );
  line(
    "problems",
    work.open.length ? work.open.map((p) => `${p.id} (since round ${p.firstRound}) ${p.text}`).join("; ") : "none open",
  );
  if (work.nextWake.length) line("check next", work.nextWake.map((n) => n.text).join("; "));
  const last = status.lastDecision;
  if (last) line("decided", `${last.actor}: ${last.what} (audit #${last.seq})`);
  if (work.round > 0)
    io.stdout(paint("dim", `the whole standing state: ${suggestCommand(io, root, "report --standing")}\n`));
}
