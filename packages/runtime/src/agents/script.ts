import { renderSteps } from "@worksite/skills";
import type { Agent, AgentTurn, RoundContext, Step } from "./types.js";
import { callRecord } from "./types.js";

export function stepApplies(step: Step, context: RoundContext): boolean {
  switch (step.on) {
    case "always":
      return true;
    case "first-round":
      return context.lastVerification === undefined;
    case "verify-failed":
      return context.lastVerification?.passed === false;
    case "verify-passed":
      return context.lastVerification?.passed === true;
  }
}

/**
 * A steering or queued message the script agent can act on: `tool.id {json input}`.
 * Anything else is kept in the report for the person, and the steps go on.
 */
export function steeringStep(text: string): Step | undefined {
  const match = /^\s*([a-z][\w-]*\.[\w-]+)\s*(\{[\s\S]*\})?\s*$/.exec(text);
  if (!match) return undefined;
  try {
    const input = match[2] ? (JSON.parse(match[2]) as Record<string, unknown>) : {};
    return { tool: match[1]!, input, on: "always", from: "steering" };
  } catch {
    return undefined;
  }
}

/**
 * The embedded agent: no model, just the goal's and the matched skills' steps,
 * each through the gate. Deterministic, so a thread can run unattended and a
 * test can say exactly what should happen. Steered mid-round, the step the
 * steering interrupted counts as done; it runs the steering call and then the
 * steps it had not reached.
 */
export function createScriptAgent(options: { steps: Step[]; vars?: Record<string, string> }): Agent {
  const finished = new Map<string, Set<number>>(); // run:round → indices of steps already run
  return {
    name: "script",
    async act(context, tools, signal): Promise<AgentTurn> {
      // Skill steps may use an earlier step's result: {{steps.<id>.content}}.
      const vars: Record<string, unknown> = {
        round: context.round,
        run: context.run,
        root: context.root,
        ...options.vars,
        steps: {},
      };
      const results = vars.steps as Record<string, { content: string; data: unknown }>;
      const key = `${context.run}:${context.round}`;
      const done = finished.get(key) ?? new Set<number>();
      finished.set(key, done);
      const instructed = context.instruction !== undefined ? steeringStep(context.instruction) : undefined;
      const planned = [
        ...(instructed ? [{ ...instructed, from: "queued instruction" }] : []),
        ...options.steps,
        ...context.matchedSkills.flatMap((s) => s.steps),
      ].filter((s) => stepApplies(s, context));
      const steer = context.steering.at(-1);
      const steerStep = steer !== undefined && !done.has(-context.steering.length) ? steeringStep(steer) : undefined;
      const queue: { index: number; step: Step }[] = [
        ...(steerStep ? [{ index: -context.steering.length, step: steerStep }] : []),
        ...planned.map((step, index) => ({ index, step })).filter(({ index }) => !done.has(index)),
      ];
      const calls: AgentTurn["calls"] = [];
      const needs: string[] = [];
      const failedSources = new Set<string>();
      for (const { index, step } of queue) {
        if (signal.aborted) break;
        // A skill's steps build on each other: after one fails, the rest of that skill would only fail slower.
        if (step.from.startsWith("skill ") && failedSources.has(step.from)) {
          done.add(index);
          calls.push({
            tool: step.tool,
            status: "error",
            message: `skipped: an earlier step of ${step.from} did not succeed`,
          });
          continue;
        }
        let input: unknown;
        try {
          input = renderSteps([{ tool: step.tool, input: step.input }], vars)[0]!.input;
        } catch (error) {
          done.add(index);
          calls.push({ tool: step.tool, status: "error", message: `${step.from}: ${(error as Error).message}` });
          continue;
        }
        const outcome = await tools.call(step.tool, input, signal);
        done.add(index);
        if (outcome.status === "aborted") {
          // The person interrupted this step by steering: it counts as done (interrupted), shows in the report,
          // and is not run again; the steering decides what comes next.
          calls.push({
            ...callRecord(step.tool, outcome),
            message: `interrupted: ${callRecord(step.tool, outcome).message}`,
          });
          break;
        }
        if (outcome.status !== "ok") failedSources.add(step.from);
        if (step.id && outcome.status === "ok")
          results[step.id] = { content: outcome.result.content, data: outcome.result.data };
        calls.push(callRecord(step.tool, outcome));
        if (outcome.status === "pending-approval") needs.push(outcome.message);
      }
      // A step whose command exited non-zero is not "ok" to the person reading the summary: count it by its exit code.
      const counts = new Map<string, number>();
      for (const c of calls) {
        const key = c.status === "ok" && c.exitCode !== undefined ? `exit ${c.exitCode}` : c.status;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const ran = calls.length
        ? `ran ${calls.length} step(s): ${[...counts].map(([status, n]) => `${n} ${status}`).join(", ")}`
        : "no step applied this round";
      return {
        summary: context.instruction ? `instruction "${context.instruction}": ${ran}` : ran,
        // A script has nothing left to do once its steps ran; verification decides whether that was enough.
        claimsDone: !signal.aborted,
        calls,
        needs,
      };
    },
  };
}
