import type { Agent, AgentTools, AgentTurn, RoundContext } from "./agents/types.js";
import { type InboxMessage, pendingMessages, takeMessage } from "./inbox.js";
import type { RunOptions } from "./run.js";
import type { Session } from "./session.js";

const MAX_STEERS_PER_ROUND = 10;

/**
 * Steering reaches the running round between tool calls: the running tool gets
 * the abort, the message joins the context, and the agent goes on from there.
 */
export async function actWithSteering(
  agent: Agent,
  context: RoundContext,
  tools: AgentTools,
  root: string,
  options: RunOptions,
  round: number,
  session: Session,
  taken: InboxMessage[],
): Promise<AgentTurn> {
  const calls: AgentTurn["calls"] = [];
  for (let steers = 0; ; steers++) {
    const controller = new AbortController();
    const outer = options.signal;
    const onOuter = () => controller.abort();
    // A stop that came while the round was being prepared has already fired: an abort event never fires twice.
    if (outer?.aborted) controller.abort();
    else outer?.addEventListener("abort", onOuter, { once: true });
    let steered: string | undefined;
    let looking: Promise<void> = Promise.resolve();
    const look = async () => {
      if (steered !== undefined || steers >= MAX_STEERS_PER_ROUND) return;
      const message = (await pendingMessages(root, "steer"))[0];
      if (!message || steered !== undefined || !(await takeMessage(root, message))) return;
      steered = message.text;
      taken.push(message);
      await session.audit.append({
        type: "inbox",
        run: context.run,
        round,
        actor: message.by,
        message: `steering taken: ${message.text}`,
        data: { id: message.id },
      });
      controller.abort();
    };
    const watch = setInterval(() => (looking = looking.then(look)), options.steerPollMs ?? 200);
    try {
      const turn = await agent.act(context, tools, controller.signal);
      clearInterval(watch);
      await looking; // a message taken while the agent was finishing still counts
      for (const c of turn.calls) calls.push(c);
      if (steered === undefined || outer?.aborted) return { ...turn, calls };
    } finally {
      clearInterval(watch);
      outer?.removeEventListener("abort", onOuter);
    }
    context.steering.push(steered);
    options.onEvent?.({ type: "steered", round, text: steered });
  }
}
