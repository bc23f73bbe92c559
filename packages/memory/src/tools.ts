import { isAbsolute, join } from "node:path";
import { definePlugin, defineTool, type ToolContext } from "@worksite/core";
import { z } from "zod";
import { serialiseEntry } from "./entry-format.js";
import { forgetMemory, writeInput, writeMemory } from "./proposals.js";
import { entryTypes } from "./schema.js";
import { readMemory, searchMemory } from "./search.js";
import { type MemoryStore, openMemory, type Person } from "./store.js";

export interface MemoryPluginOptions {
  /** The memory folder, relative to the worksite (default "memory", as THREAD.md `memory.path`). */
  dir?: string;
  git?: "own" | "parent";
  /** THREAD.md `memory: { autoAccept: true }`: writes land on the main line instead of a proposal branch. */
  autoAccept?: boolean;
  author?: Person;
}

/**
 * The `memory` plugin. `memory.search` and `memory.read` are `read` tools;
 * `memory.write` and `memory.forget` are `write` tools whose own default tier is
 * draft (where no PERMISSIONS.md rule names them), so a person sees them first.
 * The gate decides; nothing here bypasses it. Even when allowed, writes go to the
 * run's proposal branch, never the main line (unless autoAccept).
 */
/** The full topic/name, never a bare name: the target the rules decide on must be the file that is read. */
const entryId = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*\/[a-z0-9]+(?:-[a-z0-9]+)*(?:\.md)?$/, "topic/name, as memory.search lists it")
  .describe("topic/name, as memory.search lists it");

export function createMemoryPlugin(options: MemoryPluginOptions = {}) {
  const stores = new Map<string, Promise<MemoryStore>>();
  const folder = (ctx: { worksite: string }) => {
    const dir = options.dir ?? "memory";
    return isAbsolute(dir) ? dir : join(ctx.worksite, dir);
  };
  const storeFor = (ctx: ToolContext) => {
    const dir = folder(ctx);
    let s = stores.get(dir);
    if (!s)
      stores.set(
        dir,
        (s = openMemory({
          dir,
          ...(options.git ? { git: options.git } : {}),
          ...(options.author ? { author: options.author } : {}),
        })),
      );
    return s;
  };
  const rel = (topic: string, name: string) => `${options.dir ?? "memory"}/${topic}/${name}.md`;

  return definePlugin({
    name: "memory",
    tools: {
      search: defineTool({
        description:
          "Search the worksite's memory (facts, preferences, decisions kept across runs) by words, tags or type",
        effect: "read",
        input: z.object({
          text: z.string().optional().describe("words that must all appear"),
          tags: z.array(z.string()).optional(),
          type: z.enum(entryTypes).optional(),
          limit: z.number().int().min(1).max(100).optional(),
        }),
        target: (input) => input.text ?? "",
        run: async (input, ctx) => {
          const hits = await searchMemory(await storeFor(ctx), input);
          const content = hits.length
            ? hits
                .map((h) => `${h.id} [${h.type}${h.status === "active" ? "" : `, ${h.status}`}] ${h.description}`)
                .join("\n")
            : "no memory entry matches";
          // Entries may come from an agent or a remote: the model reads them as data (issue 20).
          return { content: hits.length ? ctx.untrusted(content, "memory search results") : content, data: { hits } };
        },
      }),
      read: defineTool({
        description: "Read one memory entry by topic/name",
        effect: "read",
        input: z.object({ id: entryId }),
        targetKind: "path",
        target: (input) => `${options.dir ?? "memory"}/${input.id.replace(/\.md$/, "")}.md`,
        run: async (input, ctx) => {
          const entry = await readMemory(await storeFor(ctx), input.id);
          return {
            content: ctx.untrusted(
              serialiseEntry(entry.meta, entry.body),
              `memory entry ${input.id} (source: ${entry.meta.source})`,
            ),
            data: { entry },
          };
        },
      }),
      write: defineTool({
        description:
          "Propose a memory entry (create or update): a stable fact, preference, decision or procedure worth keeping across runs. It goes to a reviewable proposal.",
        effect: "write",
        defaultTier: "draft",
        input: writeInput,
        targetKind: "path",
        target: (input) => rel(input.topic, input.name),
        run: async (input, ctx) => {
          const r = await writeMemory(await storeFor(ctx), input, {
            run: ctx.run,
            actor: ctx.actor,
            ...(options.autoAccept ? { autoAccept: true } : {}),
          });
          const where = options.autoAccept ? "committed" : `proposed on ${r.ref.replace("refs/heads/", "")} for review`;
          return { content: `${r.file} ${where}`, data: r };
        },
        draft: async (input) => ({
          summary: `would write memory ${rel(input.topic, input.name)}`,
          body: serialiseEntry(
            { name: input.name, description: input.description, type: input.type, tags: input.tags ?? [] },
            input.body,
          ),
          kind: "diff",
        }),
      }),
      forget: defineTool({
        description:
          "Propose forgetting a memory entry that is no longer true (it is marked superseded, never deleted)",
        effect: "write",
        defaultTier: "draft",
        input: z.object({ id: entryId, reason: z.string().min(1) }),
        targetKind: "path",
        target: (input) => `${options.dir ?? "memory"}/${input.id.replace(/\.md$/, "")}.md`,
        run: async (input, ctx) => {
          const r = await forgetMemory(await storeFor(ctx), input.id, input.reason, {
            run: ctx.run,
            actor: ctx.actor,
            ...(options.autoAccept ? { autoAccept: true } : {}),
          });
          return {
            content: `${r.file} marked superseded (${options.autoAccept ? "committed" : "proposed for review"})`,
            data: r,
          };
        },
        draft: async (input) => ({ summary: `would forget memory ${input.id}`, body: input.reason }),
      }),
    },
  });
}

export default createMemoryPlugin();
