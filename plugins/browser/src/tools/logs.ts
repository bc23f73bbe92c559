import { defineTool } from "@worksite/core";
import { z } from "zod";
import { refOwnerUrl } from "../refs.js";
import type { BrowserSession } from "../session.js";
import { result } from "./common.js";

export function consoleTool(session: BrowserSession) {
  return defineTool({
    description: "Console messages and page errors of the current tab.",
    effect: "read",
    targetKind: "url",
    input: z.object({
      level: z
        .enum(["all", "error", "warning"])
        .optional()
        .describe("error = errors and page errors; warning = also warnings"),
      limit: z.number().int().min(1).max(500).optional(),
    }),
    target: () => refOwnerUrl(session, undefined),
    async run(i, ctx) {
      const tab = await session.use(ctx);
      const mark = session.events.mark();
      const wanted =
        i.level === "error"
          ? ["error", "pageerror"]
          : i.level === "warning"
            ? ["error", "pageerror", "warn"]
            : undefined;
      const entries = tab.console.filter((e) => !wanted || wanted.includes(e.type)).slice(-(i.limit ?? 100));
      const text = entries.map((e) => `[${e.type}] ${e.text}${e.url ? ` (${e.url})` : ""}`).join("\n");
      return result(
        session,
        ctx,
        mark,
        [`${entries.length} console message(s) on tab ${tab.id}:`, ctx.untrusted(text, tab.page.url())],
        { entries },
      );
    },
  });
}

export function networkTool(session: BrowserSession) {
  return defineTool({
    description: "Requests the current tab made (method, status, URL), newest last.",
    effect: "read",
    targetKind: "url",
    input: z.object({
      filter: z.string().optional().describe("Only URLs containing this text"),
      failedOnly: z.boolean().optional(),
      limit: z.number().int().min(1).max(500).optional(),
    }),
    target: () => refOwnerUrl(session, undefined),
    async run(i, ctx) {
      const tab = await session.use(ctx);
      const mark = session.events.mark();
      const entries = tab.network
        .filter(
          (e) =>
            (!i.filter || e.url.includes(i.filter)) &&
            (!i.failedOnly || e.failure !== undefined || (e.status ?? 0) >= 400),
        )
        .slice(-(i.limit ?? 100));
      const text = entries.map((e) => `${e.method} ${e.failure ?? e.status ?? "?"} ${e.url} (${e.type})`).join("\n");
      return result(
        session,
        ctx,
        mark,
        [`${entries.length} request(s) on tab ${tab.id}:`, ctx.untrusted(text, tab.page.url())],
        { entries },
      );
    },
  });
}
