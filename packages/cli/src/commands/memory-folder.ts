import { existsSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { openAuditLog, parseThread, readTextWithin, SIZE_LIMITS, tooBigDiagnostic, UserError } from "@worksite/core";
import { type MemoryStore, openMemory } from "@worksite/memory";
import type { OptionsSpec, ParsedArgv } from "../argv.js";
import { findWorksite } from "../find-worksite.js";
import type { CommandIO } from "../io.js";

/** Declared once, shared by every memory command. */
export const memoryOptions: OptionsSpec = {
  memory: {
    type: "string",
    description: "a memory folder to work on alone (default: the worksite's, THREAD.md memory.path or memory/)",
  },
};

export interface MemoryTarget {
  store: MemoryStore;
  /** THREAD.md memory.remote, when the worksite names one. */
  remote?: string;
  /** How to show a file inside the folder: relative to where the person stands, absolute when that is outside it. */
  shown: (file: string) => string;
}

/** `--memory DIR` alone, or the worksite's memory folder (whose findings also go to its audit log). */
export async function openMemoryTarget(args: ParsedArgv, io: CommandIO): Promise<MemoryTarget> {
  const given = args.options.memory;
  let dir: string;
  let remote: string | undefined;
  let worksite: string | undefined;
  if (typeof given === "string") dir = resolve(io.cwd, given);
  else {
    worksite = findWorksite(args, io);
    const threadFile = join(worksite, "THREAD.md");
    const thread = existsSync(threadFile)
      ? parseThread(await readThreadText(threadFile), { file: "THREAD.md" })
      : undefined;
    dir = join(worksite, thread?.memory?.path ?? "memory");
    remote = thread?.memory?.remote;
  }
  const audit = worksite ? openAuditLog(join(worksite, ".worksite", "audit.jsonl")) : undefined;
  // Memory commands only read or change an existing folder: a mistyped --memory must not become a new one (nor get
  // a .git). The worksite's own memory folder, once it exists (`worksite init` makes it empty), is memory by definition.
  const create = worksite !== undefined && existsSync(dir);
  const store = await openMemory({ dir, create, ...(audit ? { audit } : {}) });
  return {
    store,
    ...(remote ? { remote } : {}),
    shown: (file) => pathFrom(io.cwd, join(store.dir, file)),
  };
}

/** THREAD.md within its size limit (as `worksite check` reads it), or a UserError saying why not. */
async function readThreadText(file: string): Promise<string> {
  const got = await readTextWithin(file, SIZE_LIMITS.worksiteFile);
  if (got.ok) return got.text;
  if (got.problem === "too-big") {
    const hint = "keep THREAD.md under the limit; `worksite check` says the same";
    throw new UserError("THREAD.md is too big to read", {
      diagnostics: [tooBigDiagnostic("THREAD.md", "THREAD.md", got.size, got.limit, hint)],
      hint,
    });
  }
  throw new UserError(`THREAD.md cannot be read (${got.code ?? got.problem})`, {
    hint: "check the file's permissions",
  });
}

/** Diagnostics from the memory package name files on disk; show them relative to where the person stands. */
export async function showingPaths<T>(io: CommandIO, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (UserError.isUserError(error))
      for (const d of error.diagnostics) if (isAbsolute(d.file)) d.file = pathFrom(io.cwd, d.file);
    throw error;
  }
}

/**
 * A path as the person can read it from where they stand: relative when it is inside the current
 * folder, absolute when it is not (a `../../memory/x.md` climb is harder to read than the path itself).
 */
export function pathFrom(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  if (rel === "") return ".";
  return rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}
