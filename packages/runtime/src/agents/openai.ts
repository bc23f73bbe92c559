import { z } from "zod";
import { ensureUntrusted, UserError } from "@worksite/core";
import { renderRoundPrompt } from "./prompt.js";
import type { Agent, AgentTurn } from "./types.js";
import { callRecord, describeOutcome } from "./types.js";

export interface OpenAIAgentOptions {
  /** e.g. https://api.openai.com/v1, http://localhost:11434/v1 (Ollama), a vLLM or LM Studio server. */
  baseURL: string;
  model: string;
  apiKey?: string;
  /** Tool-calling turns per round before the agent must stop. */
  maxSteps?: number;
  fetch?: typeof fetch;
}

const DONE_TOOL = "worksite_round_done";

/** OpenAI tool names allow [a-zA-Z0-9_-]; ours have dots. */
export const toWireName = (id: string) => id.replace(/\./g, "__");
export const fromWireName = (name: string) => name.replace(/__/g, ".");

const responseSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullable().optional(),
          tool_calls: z
            .array(
              z.object({
                id: z.string(),
                type: z.literal("function").optional(),
                function: z.object({ name: z.string(), arguments: z.string() }),
              }),
            )
            .optional(),
        }),
      }),
    )
    .min(1),
});

type WireMessage =
  | { role: "system" | "user"; content: string }
  | {
      role: "assistant";
      content: string | null;
      tool_calls?: { id: string; type: "function"; function: { name: string; arguments: string } }[];
    }
  | { role: "tool"; tool_call_id: string; content: string };

/** Settings from THREAD.md `agent:` first, then WORKSITE_OPENAI_* / OPENAI_* environment variables. */
export function openAIOptionsFrom(
  agent: Record<string, unknown> | undefined,
  env: NodeJS.ProcessEnv,
): OpenAIAgentOptions {
  const baseURL =
    (agent?.baseURL as string | undefined) ??
    env.WORKSITE_OPENAI_BASE_URL ??
    env.OPENAI_BASE_URL ??
    "https://api.openai.com/v1";
  const model = (agent?.model as string | undefined) ?? env.WORKSITE_OPENAI_MODEL ?? env.OPENAI_MODEL;
  if (!model)
    throw new UserError("the openai agent needs a model", {
      hint: "set `agent: { kind: openai, model: … }` in THREAD.md or WORKSITE_OPENAI_MODEL",
    });
  const apiKey = env.WORKSITE_OPENAI_API_KEY ?? env.OPENAI_API_KEY;
  return {
    baseURL,
    model,
    ...(apiKey ? { apiKey } : {}),
    ...(typeof agent?.maxSteps === "number" ? { maxSteps: agent.maxSteps } : {}),
  };
}

/** Any OpenAI-compatible chat-completions endpoint with tool calling. */
export function createOpenAIAgent(options: OpenAIAgentOptions): Agent {
  const doFetch = options.fetch ?? fetch;
  const maxSteps = options.maxSteps ?? 20;
  return {
    name: "openai",
    async act(context, tools, signal): Promise<AgentTurn> {
      const toolList: {
        type: "function";
        function: { name: string; description: string; parameters: Record<string, unknown> };
      }[] = tools.list().map((t) => ({
        type: "function",
        function: {
          name: toWireName(t.id),
          description: `${t.description} (effect: ${t.effect})`,
          parameters: z.toJSONSchema(t.input, { io: "input" }) as Record<string, unknown>,
        },
      }));
      toolList.push({
        type: "function",
        function: {
          name: DONE_TOOL,
          description: "Say the goal is met (verification still decides)",
          parameters: { type: "object", properties: { summary: { type: "string" } } },
        },
      });
      const messages: WireMessage[] = [
        { role: "system", content: renderRoundPrompt(context) },
        { role: "user", content: context.instruction ?? "Work toward the goal for this round." },
      ];
      const calls: AgentTurn["calls"] = [];
      const needs: string[] = [];
      let claimsDone = false;
      let summary = "";
      for (let step = 0; step < maxSteps && !signal.aborted; step++) {
        const url = `${options.baseURL.replace(/\/$/, "")}/chat/completions`;
        let answer: unknown;
        try {
          const response = await doFetch(url, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
            },
            body: JSON.stringify({ model: options.model, messages, tools: toolList, tool_choice: "auto" }),
            signal,
          });
          if (!response.ok)
            throw new Error(`model endpoint answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
          answer = await response.json();
        } catch (error) {
          // Steering (or a stop) while the model thinks: give up this request; the round goes on from here.
          if (signal.aborted) break;
          if (!(error instanceof TypeError)) throw error;
          const cause = (error as { cause?: { message?: string } }).cause?.message ?? error.message;
          throw new UserError(`could not reach the model endpoint ${options.baseURL}: ${cause}`, {
            hint: "check WORKSITE_OPENAI_BASE_URL (or agent.baseURL in THREAD.md) and that the server is running",
          });
        }
        const parsed = responseSchema.safeParse(answer);
        if (!parsed.success)
          throw new Error(
            `model endpoint sent an answer that is not a chat completion: ${z.prettifyError(parsed.error)}`,
          );
        const message = parsed.data.choices[0]!.message;
        messages.push({
          role: "assistant",
          content: message.content ?? null,
          ...(message.tool_calls
            ? { tool_calls: message.tool_calls.map((c) => ({ ...c, type: "function" as const })) }
            : {}),
        });
        if (!message.tool_calls?.length) {
          summary = message.content ?? "";
          // Ending the turn without another call is the model saying it has finished; verification still decides.
          claimsDone = true;
          break;
        }
        for (const call of message.tool_calls) {
          if (call.function.name === DONE_TOOL) {
            claimsDone = true;
            messages.push({ role: "tool", tool_call_id: call.id, content: "noted; verification runs after your turn" });
            continue;
          }
          let input: unknown;
          try {
            input = JSON.parse(call.function.arguments || "{}");
          } catch {
            messages.push({ role: "tool", tool_call_id: call.id, content: "error: arguments were not valid JSON" });
            continue;
          }
          const tool = fromWireName(call.function.name);
          const outcome = await tools.call(tool, input, signal);
          calls.push(callRecord(tool, outcome));
          if (outcome.status === "pending-approval") needs.push(outcome.message);
          // Every tool result is data from outside the thread, whatever the tool (issue 20): the model reads it enveloped.
          messages.push({
            role: "tool",
            tool_call_id: call.id,
            content: `[${outcome.status}] ${ensureUntrusted(describeOutcome(outcome), `result of ${tool}`)}`,
          });
        }
      }
      return { summary: summary || `${calls.length} tool calls`, claimsDone, calls, needs };
    },
  };
}
