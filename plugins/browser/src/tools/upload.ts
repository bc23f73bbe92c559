import { stat } from "node:fs/promises";
import { confine, defineTool, permits, ruleText, WorksiteError, type ToolContext } from "@worksite/core";
import type { ElementHandle } from "puppeteer-core";
import { z } from "zod";
import { refOwnerUrl, resolve } from "../refs.js";
import type { BrowserSession } from "../session.js";
import { named, result } from "./common.js";
import { refFields } from "./ref-input.js";

/**
 * The files to attach, or a refusal for the whole upload. Sending a file to a
 * page is reading it out of the worksite, so each path must be one the agent
 * may read: `confine` keeps it inside (no `..`, no symlink out, never
 * `.worksite/`), and `file.read` must be permitted for it by PERMISSIONS.md.
 */
export async function uploadablePaths(ctx: ToolContext, paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const { absolute, relative } = await confine(ctx.worksite, path);
    // The rules first: a forbidden path is refused whether or not it exists.
    const decision = await ctx.check("file.read", relative);
    if (!permits(decision.tier, "read")) {
      const why = decision.rule
        ? `${ruleText(decision)} makes file.read ${decision.tier} for ${relative}`
        : decision.reason;
      throw new WorksiteError("refused", `refused to upload ${path}: ${why}; nothing was attached`);
    }
    let isFile: boolean;
    try {
      isFile = (await stat(absolute)).isFile();
    } catch {
      throw new WorksiteError("not-found", `No file ${path} in the worksite.`);
    }
    if (!isFile) throw new WorksiteError("user", `${path} is not a file.`);
    files.push(absolute);
  }
  return files;
}

export function uploadTool(session: BrowserSession) {
  return defineTool({
    description:
      "Attach files from inside the worksite to a file input by its snapshot ref. Only files the worksite's rules let you read (file.read); never .worksite/.",
    effect: "external",
    targetKind: "url",
    input: z.object({
      ...refFields,
      paths: z.array(z.string().min(1)).min(1).describe("Paths relative to the worksite root"),
    }),
    target: (i) => refOwnerUrl(session, i.ref),
    async run(i, ctx) {
      const files = await uploadablePaths(ctx, i.paths);
      const tab = await session.use(ctx);
      const mark = session.events.mark();
      const el = await resolve(session, tab, i.ref);
      try {
        const isFile = await el.handle.evaluate((n) => n instanceof HTMLInputElement && n.type === "file");
        if (!isFile) throw new WorksiteError("user", `${named(i.element, i.ref)} is not a file input.`);
        await (el.handle as ElementHandle<HTMLInputElement>).uploadFile(...files);
      } finally {
        void el.handle.dispose().catch(() => {});
      }
      return result(session, ctx, mark, [`Attached ${i.paths.join(", ")} to ${named(i.element, i.ref)}.`], {
        files: i.paths,
        frame: el.url,
      });
    },
  });
}
