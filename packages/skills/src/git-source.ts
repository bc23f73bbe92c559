import { existsSync, statSync } from "node:fs";
import { mkdir, realpath } from "node:fs/promises";
import { isAbsolute, join, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { UserError } from "@worksite/core";
import { type ExecOptions, exec } from "./npm.js";

/** A skill folder inside a git repository: where to clone from, which ref, which folder. */
export interface GitSource {
  /** What git clones: a URL, never a bare local path (those become file:// URLs). */
  url: string;
  ref?: string;
  /** Folder of the skill inside the repository, forward slashes; "" for the root. */
  path: string;
}

/**
 * The git forms `skill add` reads:
 * - `URL`, `URL#REF`, `URL#REF:PATH`, `URL#:PATH` where URL is `git+…`, `git://…`, `ssh://…`,
 *   `git@host:owner/repo`, `file://…`, `http(s)://….git`, or a local path to a repository;
 * - `https://github.com/OWNER/REPO/tree/REF/PATH` (and GitLab's `/-/tree/`), as copied from a browser;
 * - `github:OWNER/REPO[#…]` and `OWNER/REPO[#…]`, which mean the GitHub repository.
 * Undefined when the spec is none of these.
 */
export function parseGitSource(spec: string, cwd: string): GitSource | undefined {
  const tree = /^(https?:\/\/[^/]+\/[^/]+\/[^/]+?)(?:\.git)?\/(?:-\/)?tree\/([^/]+)(?:\/(.+?))?\/?$/.exec(spec);
  if (tree) return { url: `${tree[1]}.git`, ref: decodeURIComponent(tree[2]!), path: cleanPath(tree[3] ?? "") };
  const hash = spec.lastIndexOf("#");
  const base = hash >= 0 ? spec.slice(0, hash) : spec;
  const fragment = hash >= 0 ? spec.slice(hash + 1) : undefined;
  const url = repositoryUrl(base, cwd, fragment !== undefined);
  if (!url) return undefined;
  if (fragment === undefined) return { url, path: "" };
  const colon = fragment.indexOf(":");
  const ref = colon >= 0 ? fragment.slice(0, colon) : fragment;
  const path = colon >= 0 ? fragment.slice(colon + 1) : "";
  return { url, ...(ref ? { ref } : {}), path: cleanPath(path) };
}

function repositoryUrl(base: string, cwd: string, hasFragment: boolean): string | undefined {
  if (/^git\+/i.test(base)) return base.slice(4);
  if (/^(git|ssh|file):\/\//i.test(base)) return base;
  if (/^[\w.-]+@[\w.-]+:[\w./~-]+$/.test(base)) return base;
  if (/^https?:\/\/.+\.git\/?$/i.test(base)) return base;
  const gh = /^(?:github:)?([A-Za-z0-9][\w.-]*)\/([\w.-]+)$/.exec(base);
  if (gh && (base.startsWith("github:") || !existsSync(resolve(cwd, base))))
    return `https://github.com/${gh[1]}/${gh[2]!.replace(/\.git$/, "")}.git`;
  // A local repository given by its path: only with a #fragment (a plain folder path is a skill folder).
  const local = resolve(cwd, base);
  if (hasFragment && existsSync(local) && statSync(local).isDirectory() && isRepository(local))
    return pathToFileURL(local).href;
  return undefined;
}

function isRepository(dir: string): boolean {
  return existsSync(join(dir, ".git")) || (existsSync(join(dir, "HEAD")) && existsSync(join(dir, "objects")));
}

function cleanPath(path: string): string {
  const p = path.replace(/\\/g, "/").replace(/^\/+|\/+$/g, "");
  if (isAbsolute(path) || p.split("/").includes(".."))
    throw new UserError(`the folder inside the repository must stay inside it: ${path}`, {
      hint: "give the skill's folder relative to the repository root, e.g. URL#main:skills/pdf",
    });
  return p === "." ? "" : p;
}

// Only transports that fetch data; `ext::` runs a command and is never allowed (git's protocol.allow).
const SAFE_GIT = [
  "-c",
  "protocol.allow=never",
  ...["file", "git", "http", "https", "ssh"].flatMap((p) => ["-c", `protocol.${p}.allow=always`]),
  "-c",
  "core.hooksPath=/dev/null",
];

/**
 * Clones the repository (shallow when it can) into `into` and returns the skill folder's absolute path,
 * which is checked to lie inside the clone after links are resolved. Submodules are not fetched and no hook runs.
 */
export async function cloneSkillFolder(source: GitSource, into: string, options: ExecOptions): Promise<string> {
  await mkdir(into, { recursive: true });
  const env = { ...(options.env ?? process.env), GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "", SSH_ASKPASS: "" };
  const run = (args: string[], cwd = options.cwd) =>
    exec("git", [...SAFE_GIT, ...args], { ...options, cwd, env }).catch((error: unknown) => {
      const detail = error instanceof Error ? error.message.replace(/^git .*? failed: /s, "") : String(error);
      throw new UserError(`cannot fetch ${source.url}${source.ref ? ` at ${source.ref}` : ""}: ${detail.trim()}`, {
        hint: "check the repository URL and ref (URL#REF:FOLDER), and that git can reach it from here",
      });
    });
  const commit = source.ref && /^[0-9a-f]{7,40}$/i.test(source.ref);
  const repo = join(into, "repo");
  if (commit) {
    await run(["clone", "--no-checkout", "--no-recurse-submodules", "--", source.url, repo]);
    await run(["checkout", "--quiet", source.ref!, "--"], repo);
  } else
    await run([
      "clone",
      "--quiet",
      "--depth",
      "1",
      "--no-recurse-submodules",
      ...(source.ref ? ["--branch", source.ref] : []),
      "--",
      source.url,
      repo,
    ]);
  const folder = resolve(repo, source.path);
  const [realRepo, realFolder] = await Promise.all([realpath(repo), realpath(folder).catch(() => undefined)]);
  if (!realFolder)
    throw new UserError(`${source.url}${source.ref ? ` at ${source.ref}` : ""} has no folder ${source.path}`, {
      hint: "name the skill's folder after a colon: URL#REF:skills/NAME (or URL#:skills/NAME for the default branch)",
    });
  if (realFolder !== realRepo && !realFolder.startsWith(realRepo + sep))
    throw new UserError(`refusing to install ${source.path}: it leads outside the repository`, {
      hint: "a skill folder in a repository is a plain folder, not a link",
    });
  return folder;
}
