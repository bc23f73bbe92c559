import { realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve as resolvePath, sep } from "node:path";
import { defineTool, WorksiteError } from "@worksite/core";
import type { ElementHandle } from "puppeteer-core";
import { z } from "zod";
import { refOwnerUrl, resolve } from "../refs.js";
import type { BrowserSession } from "../session.js";
import { named, result } from "./common.js";
import { refFields } from "./ref-input.js";

/** A path inside the worksite (symlinks resolved), or a refusal: a page never gets files from elsewhere. */
export async function insideWorksite(worksite: string, path: string): Promise<string> {
  const root = await realpath(worksite);
  let real: string;
  try {
    real = await realpath(resolvePath(root, path));
  } catch {
    throw new WorksiteError("not-found", `No file ${path} in the worksite.`);
  }
  const rel = relative(root, real);
  if (rel === "" || rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel)) {
    throw new WorksiteError("refused", `${path} is outside the worksite; upload only sends files from inside it.`);
  }
  if (!(await stat(real)).isFile()) throw new WorksiteError("user", `${path} is not a file.`);
  return real;
}

export function uploadTool(session: BrowserSession) {
  return defineTool({
    description: "Attach files from inside the worksite to a file input by its snapshot ref.",
    effect: "external",
    targetKind: "url",
    input: z.object({ ...refFields, paths: z.array(z.string().min(1)).min(1).describe("Paths relative to the worksite root") }),
    target: (i) => refOwnerUrl(session, i.ref),
    async run(i, ctx) {
      const files = await Promise.all(i.paths.map((p) => insideWorksite(ctx.worksite, p)));
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
      return result(session, ctx, mark, [`Attached ${i.paths.join(", ")} to ${named(i.element, i.ref)}.`], { files: i.paths, frame: el.url });
    },
  });
}
