import {
  type ArtifactRef,
  createArtifactStore,
  listApprovals,
  type Plugin,
  redactSecrets,
  sandboxPolicy,
} from "@worksite/core";
import type { Agent, AgentProcessSupport, AgentTools, AgentTurn, ToolEndpoint } from "./agents/types.js";
import { callRecord, failedExitCode } from "./agents/types.js";
import { agentFor } from "./agents/select.js";
import { runApprovedCalls } from "./approved-calls.js";
import { describeInput } from "./describe-input.js";
import { actWithSteering } from "./steering.js";
import { changedSince, listCheckpoints, notCheckpointed, recordCheckpoint } from "./checkpoint.js";
import { decideRound, maxRoundsReason } from "./decide.js";
import { pendingMessages } from "./inbox.js";
import { putBackForRedo, putBackInterrupted, takeRoundInbox } from "./round-inbox.js";
import { acquireLock } from "./lock.js";
import { endMarked, forgetRun, recordRun, RUN_MARK_ENV, runMark, sweepDeadRuns } from "./processes.js";
import { roundContextFor } from "./round-context.js";
import { appendProgress, renderRoundReport, withFullLists } from "./report.js";
import { newRunId, openSession, type Session } from "./session.js";
import { recordRoundStanding } from "./standing-state/index.js";
import { type GoalState, readState, writeState } from "./state.js";
import { failedChecks, failureSignature, verifyGoal } from "./verify.js";

export interface RunOptions {
  root: string;
  /** Rounds to run at most in this call (default: until a stop condition). */
  rounds?: number;
  /** "script" | "openai" | "command", or an Agent; default THREAD.md `agent:`, else script. */
  agent?: Agent | string;
  plugins?: Plugin[];
  signal?: AbortSignal;
  /** How often a running round looks for steering messages. */
  steerPollMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Why the run started, for skill triggers: "schedule", "pr-comment", … (a plain `worksite run`: none). */
  event?: string;
  onEvent?: (event: RunEvent) => void;
  /**
   * Serves the session's gated tools to an agent process (the command agent) from outside its sandbox:
   * the CLI passes @worksite/mcp's loopback endpoint (the runtime does not depend on the MCP package).
   */
  toolEndpoint?: (session: Session) => Promise<ToolEndpoint>;
}

export type RunEvent =
  | { type: "round-start"; round: number; instruction?: string }
  /** exitCode: the command the tool ran exited non-zero (the status is still "ok": the tool itself worked). */
  | { type: "call"; round: number; tool: string; status: string; message: string; exitCode?: number; ms?: number }
  /** A tool call is about to go through the gate; `detail` is its input in one redacted line. */
  | { type: "call-start"; round: number; tool: string; detail: string }
  | { type: "steered"; round: number; text: string }
  /** waiting: some check waits for a person's approval; failed: some check ran and failed (or was refused). */
  | { type: "verified"; round: number; passed: boolean; waiting: boolean; failed: boolean }
  | { type: "round-end"; round: number; state: GoalState; reason: string };

export interface RunResult {
  run: string;
  state: GoalState;
  reason: string;
  rounds: number[];
  /** Queued instructions still waiting when the run ended; absent when the run took them all. */
  queued?: string[];
}

const HARD_ROUND_CAP = 20; // a thread with no maxRounds still never spins (or spends a model budget) forever in one run

export async function runThread(options: RunOptions): Promise<RunResult> {
  const { root } = options;
  const run = newRunId();
  const lock = await acquireLock(root, run);
  let session: Session | undefined;
  // Set before anything starts, so every child (Chromium, commands and theirs) inherits it.
  const mark = runMark(run);
  const markBefore = process.env[RUN_MARK_ENV];
  let recorded = false;
  let endpoint: Promise<ToolEndpoint> | undefined;
  try {
    // What a killed run left running (its runner is gone, its mark is still on them) ends before this run starts.
    const swept = await sweepDeadRuns(root);
    await recordRun(root, run);
    recorded = true;
    process.env[RUN_MARK_ENV] = mark;
    let state = await readState(root);
    session = await openSession({
      root,
      actor: "agent",
      run,
      round: state.inProgress?.round ?? state.round + 1,
      ...(options.plugins ? { plugins: options.plugins } : {}),
    });
    const { audit, worksite } = session;
    if (lock.tookOverFrom) {
      await audit.append({
        type: "run",
        run,
        actor: "runtime",
        message: `took over the lock of run ${lock.tookOverFrom.run} (pid ${lock.tookOverFrom.pid} is gone)`,
        data: { ...lock.tookOverFrom },
      });
    }
    for (const dead of swept.filter((d) => d.ended.length)) {
      await audit.append({
        type: "run",
        run,
        actor: "runtime",
        message: `ended ${dead.ended.length} process(es) left running by run ${dead.run} (its runner, pid ${dead.pid}, is gone)`,
        data: { ...dead },
      });
    }
    const agent =
      typeof options.agent === "object"
        ? options.agent
        : agentFor(options.agent ?? worksite.thread.agent?.kind ?? "script", worksite, options.env ?? process.env);
    // Round 0 is the work tree as the run found it, so round 1's changes are its own.
    if (!(await listCheckpoints(root)).length) {
      const first = await recordCheckpoint(root, 0, "before round 1");
      for (const line of notCheckpointed(first.skipped))
        await audit.append({ type: "run", run, actor: "runtime", message: `round 0: ${line}` });
    }
    const startedAt = Date.now();
    const ran: number[] = [];
    const opened = session;
    // The agent process runs under the same sandbox as commands; the gate endpoint starts only if it is asked for.
    const processSupport: AgentProcessSupport = {
      policy: sandboxPolicy({
        root,
        permissions: worksite.permissions,
        thread: worksite.thread,
        ...(options.env ? { env: options.env } : {}),
      }),
      check: (tool, target) => opened.gate.check(tool, target),
      decide: (tool, target) => opened.gate.decide(tool, target),
      note: async (target, message) => {
        await audit.append({
          type: "navigation",
          run,
          actor: "agent",
          tool: "net.connect",
          target,
          outcome: "ok",
          message,
        });
      },
      endpoint: async () => (options.toolEndpoint ? (endpoint ??= options.toolEndpoint(opened)) : undefined),
    };
    let last = { state: state.state, reason: state.lastStop?.reason ?? "" };

    for (let n = 0; n < (options.rounds ?? HARD_ROUND_CAP); n++) {
      if (options.signal?.aborted) break;
      const redo = state.inProgress;
      const round = redo?.round ?? state.round + 1;
      const maxRounds = worksite.goal.pause.maxRounds;
      if (maxRounds !== undefined && round > maxRounds) {
        // Checked before anything runs: repeated `worksite run`s of a thread that keeps waiting must not add rounds.
        const reason = maxRoundsReason(maxRounds, worksite.goal.pause.maxRoundsFrom);
        state = {
          ...state,
          state: "budget-spent",
          lastStop: { round: state.round, reason, at: new Date().toISOString() },
        };
        delete state.inProgress;
        await writeState(root, state);
        await audit.append({
          type: "run",
          run,
          round,
          actor: "runtime",
          message: `round ${round} not started: ${reason}`,
        });
        last = { state: "budget-spent", reason };
        break;
      }
      if (redo) {
        await audit.append({
          type: "run",
          run,
          round,
          actor: "runtime",
          message: `round ${round} was interrupted (run ${redo.run}); redoing it`,
        });
        await putBackForRedo({ root, audit, run, round }, redo.taken);
      }
      state = { ...state, inProgress: { round, run, started: new Date().toISOString(), taken: [] } };
      await writeState(root, state);
      session.gate.setRound(round);
      const started = new Date().toISOString();

      // Messages this round took: an interrupted round puts them back, so its redo gets the same instructions.
      const { queued, steering, taken } = await takeRoundInbox({ root, audit, run, round });
      if (taken.length) {
        state = { ...state, inProgress: { ...state.inProgress!, taken: taken.map((m) => m.id) } };
        await writeState(root, state);
      }
      options.onEvent?.({ type: "round-start", round, ...(queued ? { instruction: queued.text } : {}) });
      for (const text of steering) options.onEvent?.({ type: "steered", round, text });

      // After a rollback the round works from the files it restored, not from the last round's.
      const from = state.continuesFrom;
      const { context, extras } = await roundContextFor(session, state, {
        run,
        round,
        ...(queued ? { instruction: queued.text } : {}),
        steering,
        ...(options.event ? { event: options.event } : {}),
      });

      const tools: AgentTools = {
        list: () => session!.gate.tools(),
        call: async (tool, input, signal) => {
          options.onEvent?.({ type: "call-start", round, tool, detail: describeInput(input) });
          const callStarted = Date.now();
          const outcome = await session!.gate.call({ tool, input, ...(signal ? { signal } : {}) });
          const exitCode = failedExitCode(outcome);
          options.onEvent?.({
            type: "call",
            round,
            tool,
            status: outcome.status,
            message: callRecord(tool, outcome).message,
            ...(exitCode !== undefined ? { exitCode } : {}),
            ms: Date.now() - callStarted,
          });
          return outcome;
        },
        process: processSupport,
      };

      const verifyCommands = worksite.goal.verify.flatMap((v) => (v.kind === "command" ? [v.command] : []));
      const approvedCalls = await runApprovedCalls(root, tools, options.signal ?? new AbortController().signal, {
        verifyCommands,
      });
      // An agent that fails (a model endpoint down, a command that will not start) blocks the round: the
      // round still ends with a report and a reason, rather than a stack trace and a round left in progress.
      let agentError: string | undefined;
      const agentTurn = await actWithSteering(agent, context, tools, root, options, round, session, taken).catch(
        async (error: Error): Promise<AgentTurn> => {
          agentError = error.message.split("\n")[0] ?? String(error);
          await audit.append({
            type: "run",
            run,
            round,
            actor: "runtime",
            outcome: "error",
            message: `the ${agent.name} agent failed: ${agentError}`,
          });
          return { summary: `the ${agent.name} agent failed: ${agentError}`, claimsDone: false, calls: [] };
        },
      );
      const turn = { ...agentTurn, calls: [...approvedCalls, ...agentTurn.calls] };
      // Screenshots the tools wrote in the background are on disk and listed before the goal's artifact checks look.
      await session.gate.settled().catch(() => {});
      const verification = await verifyGoal(
        worksite.goal,
        root,
        round,
        tools,
        options.signal ?? new AbortController().signal,
      );
      if (options.signal?.aborted) {
        // Stopped by the person (Ctrl-C): a half-done round is not reported as if it ran; it stays in progress and the next run redoes it.
        await audit.append({
          type: "run",
          run,
          round,
          actor: "runtime",
          outcome: "aborted",
          message: `round ${round} was stopped before it finished; the next run redoes it`,
        });
        // Still in progress (the next run redoes it), but `worksite status` can say when the person stopped it.
        state = { ...state, inProgress: { ...state.inProgress!, interruptedAt: new Date().toISOString() } };
        await writeState(root, state);
        await putBackInterrupted({ root, audit, run, round }, taken);
        last = {
          state: state.state,
          reason: `stopped: round ${round} was interrupted before it finished; \`worksite run\` redoes it`,
        };
        break;
      }
      options.onEvent?.({
        type: "verified",
        round,
        passed: verification.passed,
        waiting: verification.waiting,
        failed: failedChecks(verification).length > 0,
      });

      const signature = failureSignature(verification);
      const sameFailureCount =
        signature && state.failure?.signature === signature ? state.failure.count + 1 : signature ? 1 : 0;
      const failureSummary =
        failedChecks(verification)
          .map((c) => `${c.what}: ${c.detail}`)
          .join("; ") || undefined;
      const checkpoints = await listCheckpoints(root);
      const changedFiles = await changedSince(root, from?.commit ?? checkpoints.filter((c) => c < round).at(-1));
      const pending = (await listApprovals(root)).filter((a) => a.status === "pending");
      const decision = decideRound(worksite.goal, {
        round,
        roundsThisRun: n + 1,
        ...(options.rounds !== undefined ? { maxRoundsThisRun: options.rounds } : {}),
        startedAt,
        now: Date.now(),
        turn,
        verification,
        sameFailureCount,
        ...(failureSummary ? { failureSummary } : {}),
        changedFiles,
        pendingApprovals: pending.length,
        run,
        ...(agentError ? { agentError: `the ${agent.name} agent failed: ${agentError}` } : {}),
      });

      // Taken before the report is written, so the report can name what it left out (the report itself is never checkpointed).
      // The work tree was staged by changedSince just above; only the decision came in between.
      const checkpoint = await recordCheckpoint(root, round, `round ${round}: ${decision.reason}`, {
        reuseStaged: true,
      });
      const store = createArtifactStore({ root, run, round, redact: redactSecrets });
      const roundArtifacts: ArtifactRef[] = (await store.list({ round })).filter((a) => a.run === run);
      const report = renderRoundReport(
        await withFullLists(
          {
            round,
            run,
            started,
            finished: new Date().toISOString(),
            ...(queued ? { instruction: queued.text } : {}),
            steering: context.steering,
            turn,
            verification,
            decision,
            changedFiles,
            needsPerson: [
              ...(turn.needs ?? []).filter((need) => !pending.some((a) => need.includes(a.id))),
              ...pending.map((a) => `approve or deny ${a.id}: ${a.tool} ${a.target ?? ""} — worksite approve ${a.id}`),
              ...verification.manual.map((m) => `manual check: ${m}`),
              ...(await extras.waitingProposals()).map(
                (r) =>
                  `review the memory proposal of run ${r}: worksite memory diff ${r}, then memory accept ${r} or reject ${r}`,
              ),
            ].filter((v, i, all) => all.indexOf(v) === i),
            artifacts: roundArtifacts,
            problems: [...extras.problems, ...notCheckpointed(checkpoint.skipped)],
            deliverables: worksite.thread.deliverEachRound.map((d) => d.text),
          },
          store,
        ),
      );
      await store.write({ name: "report.md", kind: "markdown", data: report });
      await appendProgress(root, round, redactSecrets(report));
      await extras.writeBack(run);

      state = {
        ...state,
        round,
        state: decision.state,
        lastRun: run,
        ...(decision.stop ? { lastStop: { round, reason: decision.reason, at: new Date().toISOString() } } : {}),
      };
      delete state.inProgress;
      delete state.continuesFrom;
      if (signature && failureSummary) state.failure = { signature, count: sameFailureCount, summary: failureSummary };
      else delete state.failure;
      await writeState(root, state);
      await recordRoundStanding(root, worksite, state, {
        round,
        verification,
        calls: turn.calls,
        problems: [...extras.problems, ...notCheckpointed(checkpoint.skipped)],
        changedFiles,
        agentNext: roundArtifacts.flatMap((a) =>
          Array.isArray(a.meta?.nextWake) ? a.meta.nextWake.filter((n): n is string => typeof n === "string") : [],
        ),
      });
      await audit.append({
        type: "run",
        run,
        round,
        actor: "runtime",
        ...(decision.state === "done" ? { outcome: "ok" as const } : {}),
        message: `round ${round} ended: ${decision.reason}`,
      });
      options.onEvent?.({ type: "round-end", round, state: decision.state, reason: decision.reason });
      ran.push(round);
      last = { state: decision.state, reason: decision.reason };
      // Done with the goal is not done with the person's queue: a waiting instruction is the next round's work.
      const stillQueued = decision.state === "done" && (await pendingMessages(root, "queue")).length > 0;
      if (decision.stop && !stillQueued) break;
    }
    const queuedLeft = (await pendingMessages(root, "queue")).map((m) => m.text);
    return {
      run,
      state: last.state,
      reason: last.reason,
      rounds: ran,
      ...(queuedLeft.length ? { queued: queuedLeft } : {}),
    };
  } finally {
    await endpoint?.then((e) => e.close()).catch(() => undefined);
    // A plugin that will not close (a browser hung mid-navigation) must not keep the lock: what it
    // started carries the run's mark and is ended below either way.
    await withDeadline(session?.dispose(), DISPOSE_MS).catch(() => undefined);
    if (process.env[RUN_MARK_ENV] === mark) {
      if (markBefore === undefined) delete process.env[RUN_MARK_ENV];
      else process.env[RUN_MARK_ENV] = markBefore;
    }
    if (recorded) {
      await endMarked(mark).catch(() => undefined);
      await forgetRun(root, run).catch(() => undefined);
    }
    await lock.release();
  }
}

const DISPOSE_MS = 10_000;

function withDeadline(work: Promise<void> | undefined, ms: number): Promise<void> {
  if (!work) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() =>
    clearTimeout(timer),
  );
}
