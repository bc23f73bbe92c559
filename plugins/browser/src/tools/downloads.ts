import { defineTool } from "@worksite/core";
import { z } from "zod";
import type { BrowserSession } from "../session.js";
import { result } from "./common.js";

export function downloadsTool(session: BrowserSession) {
  return defineTool({
    description: "Files the browser downloaded, saved as artifacts; waits for ones still in progress.",
    effect: "read",
    input: z.object({
      timeoutMs: z
        .number()
        .int()
        .min(0)
        .max(120_000)
        .optional()
        .describe("How long to wait for downloads in progress (default 10000)"),
    }),
    target: () => "downloads",
    async run(i, ctx) {
      await session.use(ctx);
      const mark = session.events.mark();
      const downloads = session.downloads();
      await downloads?.settle(i.timeoutMs ?? 10_000, ctx.signal);
      const list = downloads?.list() ?? [];
      const lines = list.map(
        (d) =>
          `- ${d.name} from ${d.url}: ${d.state}${d.artifact ? ` → ${d.artifact.path}` : ""}${d.error ? ` (${d.error})` : ""}`,
      );
      const artifacts = list.flatMap((d) => (d.artifact ? [d.artifact] : []));
      return result(session, ctx, mark, [`${list.length} download(s):`, ...lines], { downloads: list }, artifacts);
    },
  });
}
