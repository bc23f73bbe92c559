import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { definePlugin, defineTool } from "../plugin/define.js";
import { WorksiteError } from "../errors.js";
import { confine, confineWrite } from "./confine.js";
import { unifiedDiff } from "./line-diff.js";

const MAX_READ_BYTES = 1024 * 1024;
const MAX_LIST = 1000;

const pathInput = z.object({ path: z.string().min(1).describe("path inside the worksite") });

export const fileRead = defineTool({
  description: "Read a text file inside the worksite (secrets are redacted)",
  effect: "read",
  targetKind: "path",
  input: pathInput,
  target: (i) => i.path,
  async run(i, ctx) {
    const { absolute, relative } = await confine(ctx.worksite, i.path);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) throw new WorksiteError("not-found", `no file ${relative}`);
    if (info.isDirectory()) throw new WorksiteError("user", `${relative} is a folder; use file.list`);
    if (info.size > MAX_READ_BYTES)
      throw new WorksiteError("user", `${relative} is ${info.size} bytes; file.read reads up to ${MAX_READ_BYTES}`);
    const bytes = await readFile(absolute);
    if (bytes.includes(0))
      return {
        content: `${relative} is a binary file (${bytes.length} ${bytes.length === 1 ? "byte" : "bytes"})`,
        data: { path: relative, bytes: bytes.length, binary: true },
      };
    return { content: ctx.redact(bytes.toString("utf8")), data: { path: relative, bytes: bytes.length } };
  },
});

export const fileList = defineTool({
  description: "List a folder inside the worksite",
  effect: "read",
  targetKind: "path",
  input: z.object({ path: z.string().min(1).default(".").describe("folder inside the worksite (default: the root)") }),
  target: (i) => i.path,
  async run(i, ctx) {
    const { absolute, relative } = await confine(ctx.worksite, i.path);
    const names = await readdir(absolute, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") throw new WorksiteError("not-found", `no folder ${relative}`);
      if (error.code === "ENOTDIR") throw new WorksiteError("user", `${relative} is a file; use file.read`);
      throw error;
    });
    const entries = names
      .filter((d) => d.name.toLowerCase() !== ".worksite")
      .sort((x, y) => x.name.localeCompare(y.name))
      .slice(0, MAX_LIST)
      .map((d) => ({
        name: d.name,
        type: d.isDirectory() ? "dir" : d.isSymbolicLink() ? "symlink" : d.isFile() ? "file" : "other",
      }));
    const more = names.length > MAX_LIST ? `\n[… ${names.length - MAX_LIST} more]` : "";
    return {
      content: `${relative}/\n${entries.map((e) => `  ${e.name}${e.type === "dir" ? "/" : e.type === "symlink" ? "@" : ""}`).join("\n")}${more}`,
      data: { path: relative, entries },
    };
  },
});

const writeInput = z.object({
  path: z.string().min(1).describe("path inside the worksite"),
  content: z.string().describe("the whole new content"),
});

export const fileWrite = defineTool({
  description: "Write a whole text file inside the worksite (creates folders as needed)",
  effect: "write",
  targetKind: "path",
  input: writeInput,
  target: (i) => i.path,
  async run(i, ctx) {
    const { absolute, relative } = await confineWrite(ctx.worksite, i.path);
    const before = await stat(absolute).catch(() => undefined);
    if (before?.isDirectory()) throw new WorksiteError("user", `${relative} is a folder`);
    // Writing in place through a second name would change the other file too (a hard link to THREAD.md, to evidence).
    if (before?.isFile() && before.nlink > 1)
      throw new WorksiteError(
        "refused",
        `refused path "${i.path}": it is hard-linked to ${before.nlink - 1} other name${before.nlink > 2 ? "s" : ""}, and writing it would change that file too; a person unlinks it by hand if the write is wanted`,
      );
    await mkdir(dirname(absolute), { recursive: true });
    // Re-check after creating folders: a folder swapped for a symlink meanwhile must not redirect the write.
    const again = await confineWrite(ctx.worksite, i.path);
    if (again.absolute !== absolute)
      throw new WorksiteError("refused", `refused path "${i.path}": it changed while being written`);
    await writeFile(absolute, i.content);
    const bytes = Buffer.byteLength(i.content);
    return {
      content: `${before ? "wrote" : "created"} ${relative} (${bytes} ${bytes === 1 ? "byte" : "bytes"})`,
      data: { path: relative, bytes, created: !before },
    };
  },
  async draft(i, ctx) {
    const { absolute, relative } = await confine(ctx.worksite, i.path);
    const current = await readFile(absolute, "utf8").catch(() => undefined);
    return {
      summary: `would ${current === undefined ? "create" : "change"} ${relative}`,
      body: ctx.redact(unifiedDiff(relative, current ?? null, i.content)),
      kind: "diff",
    };
  },
});

export const filePlugin = definePlugin({ name: "file", tools: { read: fileRead, list: fileList, write: fileWrite } });
