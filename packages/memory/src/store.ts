import fs from "node:fs";
import { readdir } from "node:fs/promises";
import { userInfo } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { type AuditLog, readTextWithin, SIZE_LIMITS, UserError } from "@worksite/core";
import git from "isomorphic-git";
import { type GitFs, resolveGitDir } from "./git-dir.js";
import { entryTooBig, type MemoryEntry, parseEntry, type EntryProblem } from "./entry-format.js";

export interface Person {
  name: string;
  email: string;
}

export interface OpenMemoryOptions {
  /** The memory folder. */
  dir: string;
  /**
   * "own": the folder is a git repository of its own (created when missing).
   * "parent": the folder is part of the enclosing repository (the worksite's).
   * Default: "parent" when the folder sits at the top of a repository (`<repo>/memory`), else "own".
   */
  git?: "own" | "parent";
  /** Who the commits this store makes are by, unless a call names someone else. */
  author?: Person;
  /** Findings and proposal events go here when given. */
  audit?: AuditLog;
  /** Clock, so tests can pin "now". */
  now?: () => Date;
  /**
   * Make the folder (and its repository) when missing. Default true, for runs and tools that write memory;
   * commands that only look at a folder pass false, so a mistyped path is refused rather than created.
   */
  create?: boolean;
  /**
   * Use the git CLI for status and index updates when it is installed (default). false keeps to
   * isomorphic-git, which gives the same answers: what tests use to compare the two.
   */
  gitCli?: boolean;
}

/** An open memory folder. Plain data; every operation is a function taking it. */
export interface MemoryStore {
  /** Absolute path of the memory folder. */
  dir: string;
  /** Working tree root of the git repository holding it. */
  root: string;
  gitdir: string;
  /** The memory folder relative to `root`, posix; "" when it is its own repository. */
  prefix: string;
  mode: "own" | "parent";
  author: Person;
  audit?: AuditLog;
  now: () => Date;
  /** isomorphic-git's object cache; one per store keeps repeated status calls fast. */
  cache: object;
  /** The file system isomorphic-git is handed (git-dir.ts: a linked worktree's git folder is split in two). */
  fs: GitFs;
  /** false: never the git CLI, only isomorphic-git (OpenMemoryOptions.gitCli). */
  gitCli?: boolean;
}

/** Files in the folder that are not entries. */
export const INDEX_FILE = "MEMORY.md";
const NOT_ENTRIES = new Set([INDEX_FILE, "README.md"]);

export async function openMemory(options: OpenMemoryOptions): Promise<MemoryStore> {
  const dir = resolve(options.dir);
  if (options.create !== false) await fs.promises.mkdir(dir, { recursive: true });
  const enclosing = findEnclosingRepo(dirname(dir));
  const own = fs.existsSync(join(dir, ".git"));
  if (options.create === false && !(own || enclosing === dirname(dir) || (await holdsEntries(dir)))) {
    throw new UserError(`${dir} is not a memory folder`, {
      hint: "pass --memory DIR naming a folder of memory entries (*.md), or run `worksite init` to make a worksite with one",
    });
  }
  // A folder of the worksite's own repository (memory/ at its top) shares that history; a worksite that only
  // sits somewhere inside a larger repository gets a memory repository of its own, so proposals and accepts
  // never land on a project's branches unannounced.
  const mode = options.git ?? (own || !enclosing || enclosing !== dirname(dir) ? "own" : "parent");
  const base = {
    audit: options.audit,
    now: options.now ?? (() => new Date()),
    cache: {},
    ...(options.gitCli === false ? { gitCli: false } : {}),
  };
  if (mode === "own") {
    if (!own) await git.init({ fs, dir, defaultBranch: "main" });
    const { gitdir, fs: gitFs } = resolveGitDir(dir);
    return {
      dir,
      root: dir,
      gitdir,
      prefix: "",
      mode,
      author: options.author ?? (await defaultPerson(gitdir, process.env, gitFs)),
      fs: gitFs,
      ...base,
    };
  }
  const root = own ? undefined : enclosing;
  if (!root)
    throw new UserError(`${dir} is not inside a git repository`, {
      hint: 'open it as a repository of its own (git: "own")',
    });
  // A linked worktree's `.git` is a file naming its git folder (git-dir.ts).
  const { gitdir, fs: gitFs } = resolveGitDir(root);
  return {
    dir,
    root,
    gitdir,
    prefix: relative(root, dir).split(sep).join("/"),
    mode,
    author: options.author ?? (await defaultPerson(gitdir, process.env, gitFs)),
    fs: gitFs,
    ...base,
  };
}

/** The person git would name: the repository's user.name/email, else git's environment variables, else the login. */
export async function defaultPerson(
  gitdir: string,
  env: NodeJS.ProcessEnv = process.env,
  gitFs: GitFs = fs,
): Promise<Person> {
  const get = async (path: string) => {
    const v: unknown = await git.getConfig({ fs: gitFs, gitdir, path }).catch(() => undefined);
    return typeof v === "string" && v ? v : undefined;
  };
  const login = (() => {
    try {
      return userInfo().username;
    } catch {
      return "someone";
    }
  })();
  return {
    name: (await get("user.name")) ?? env.GIT_AUTHOR_NAME ?? login,
    email: (await get("user.email")) ?? env.GIT_AUTHOR_EMAIL ?? `${login}@localhost`,
  };
}

/** Whether a folder holds a *.md file at its top or one folder down (entries live in topic folders). */
async function holdsEntries(dir: string, depth = 2): Promise<boolean> {
  const items = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (!items) return false;
  for (const item of items) {
    if (item.name.startsWith(".")) continue;
    if (item.isFile() && item.name.endsWith(".md")) return true;
    if (item.isDirectory() && depth > 1 && (await holdsEntries(join(dir, item.name), depth - 1))) return true;
  }
  return false;
}

function findEnclosingRepo(from: string): string | undefined {
  for (let d = from; ; d = dirname(d)) {
    if (fs.existsSync(join(d, ".git"))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/** Repository path of a file inside the memory folder. */
export function repoPath(store: MemoryStore, file: string): string {
  return store.prefix ? `${store.prefix}/${file}` : file;
}

/** File inside the memory folder for a repository path, or undefined when it lies outside. */
export function memoryPath(store: MemoryStore, path: string): string | undefined {
  if (!store.prefix) return path;
  return path.startsWith(`${store.prefix}/`) ? path.slice(store.prefix.length + 1) : undefined;
}

/** Every entry file in the folder (posix paths inside it), sorted. Hidden folders are skipped. */
export async function listEntryFiles(store: MemoryStore): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    const items = await readdir(join(store.dir, rel), { withFileTypes: true });
    for (const item of items) {
      if (item.name.startsWith(".")) continue;
      const path = rel ? `${rel}/${item.name}` : item.name;
      if (item.isDirectory()) await walk(path);
      else if (item.isFile() && item.name.endsWith(".md") && !(rel === "" && NOT_ENTRIES.has(item.name)))
        out.push(path);
    }
  };
  await walk("");
  return out.sort();
}

export interface LoadedFile {
  file: string;
  text: string;
  entry?: MemoryEntry;
  problems: EntryProblem[];
  /** Over the size limit: not read, so `text` is empty. */
  tooBig?: true;
}

/** Read and parse every entry in the working folder. Broken files come back with their problems. */
export async function loadFiles(store: MemoryStore): Promise<LoadedFile[]> {
  const files = await listEntryFiles(store);
  const out: LoadedFile[] = [];
  // Bounded parallelism: enough to overlap I/O without opening 10,000 files at once.
  const width = 64;
  for (let i = 0; i < files.length; i += width) {
    const batch = files.slice(i, i + width);
    // The size is checked on the open file before it is read: a 50 MB entry is reported, not loaded.
    const reads = await Promise.all(batch.map((f) => readTextWithin(join(store.dir, f), SIZE_LIMITS.memoryEntry)));
    batch.forEach((file, j) => {
      const got = reads[j]!;
      if (!got.ok) {
        if (got.problem !== "too-big")
          throw new UserError(`memory entry ${file} cannot be read (${got.code ?? got.problem})`, {
            hint: "check the file's permissions",
          });
        out.push({ file, text: "", problems: [entryTooBig(got.size)], tooBig: true });
        return;
      }
      const text = got.text;
      const parsed = parseEntry(text, file);
      out.push(
        parsed.ok ? { file, text, entry: parsed.entry, problems: [] } : { file, text, problems: parsed.problems },
      );
    });
  }
  return out;
}

export function today(store: MemoryStore): string {
  return store.now().toISOString().slice(0, 10);
}
