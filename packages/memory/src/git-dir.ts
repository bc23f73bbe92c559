import fs from "node:fs";
import { isAbsolute, join, resolve, sep } from "node:path";

/** The file system isomorphic-git is handed: node's, or one that splits a linked worktree's git folder. */
export type GitFs = Pick<typeof fs, "promises">;

/*
 * A linked worktree (`git worktree add`) has a `.git` *file* naming its own git
 * folder (`<common>/worktrees/<name>`: HEAD, index), while objects, branches and
 * config live in the common folder it names in `commondir`
 * (https://git-scm.com/docs/gitrepository-layout). The git CLI follows both;
 * isomorphic-git reads one folder, so it gets a file system on which the
 * worktree's folder shows the common folder's objects and refs through it.
 */
const PER_WORKTREE =
  /^(HEAD|index(\.lock)?|ORIG_HEAD|MERGE_HEAD|FETCH_HEAD|logs\/HEAD|refs\/(worktree|bisect|rewritten)(\/|$))/;

export function resolveGitDir(root: string): { gitdir: string; fs: GitFs } {
  const dotGit = join(root, ".git");
  let text: string;
  try {
    if (!fs.statSync(dotGit).isFile()) return { gitdir: dotGit, fs };
    text = fs.readFileSync(dotGit, "utf8");
  } catch {
    return { gitdir: dotGit, fs };
  }
  const named = /^gitdir: (.+)$/m.exec(text)?.[1]?.trim();
  if (!named) return { gitdir: dotGit, fs };
  const gitdir = isAbsolute(named) ? named : resolve(root, named);
  let common: string;
  try {
    const c = fs.readFileSync(join(gitdir, "commondir"), "utf8").trim();
    common = isAbsolute(c) ? c : resolve(gitdir, c);
  } catch {
    return { gitdir, fs }; // a submodule's gitfile: one folder holds everything
  }
  return { gitdir, fs: splitFs(gitdir, common) };
}

function splitFs(gitdir: string, common: string): GitFs {
  const prefix = gitdir + sep;
  const map = (path: unknown) => {
    if (typeof path !== "string" || !path.startsWith(prefix)) return path;
    const rest = path.slice(prefix.length).split(sep).join("/");
    return PER_WORKTREE.test(rest) ? path : join(common, rest);
  };
  const p = fs.promises as unknown as Record<string, (...args: unknown[]) => unknown>;
  const promises = new Proxy(p, {
    get(target, name: string) {
      const f = target[name];
      if (typeof f !== "function") return f;
      // Path arguments come first (rename and symlink take two).
      return (...args: unknown[]) =>
        f.apply(
          target,
          name === "rename" || name === "symlink"
            ? [map(args[0]), map(args[1]), ...args.slice(2)]
            : [map(args[0]), ...args.slice(1)],
        );
    },
  });
  return { promises } as unknown as GitFs;
}
