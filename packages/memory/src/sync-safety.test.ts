import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "@worksite/core";
import { afterEach, describe, expect, it } from "vitest";
import { openMemory } from "./store.js";
import { syncMemory } from "./sync.js";
import { type GitServer, startGitServer } from "./test-helpers/git-http-server.js";
import { entryText, tempDir } from "./test-helpers/fixtures.js";

let server: GitServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Writes a commit straight into the bare repository with git's plumbing, as a hostile remote could hold it: `entries` are mktree lines. */
function hostileCommit(
  bare: string,
  build: (blob: (text: string) => string, tree: (lines: string[]) => string) => string,
): void {
  const git = (args: string[], input?: string) =>
    execFileSync("git", ["-C", bare, ...args], {
      encoding: "utf8",
      ...(input !== undefined ? { input } : {}),
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "Mallory",
        GIT_AUTHOR_EMAIL: "m@example.test",
        GIT_COMMITTER_NAME: "Mallory",
        GIT_COMMITTER_EMAIL: "m@example.test",
      },
    }).trim();
  const blob = (text: string) => git(["hash-object", "-w", "--stdin"], text);
  const tree = (lines: string[]) => git(["mktree"], `${lines.join("\n")}\n`);
  const root = build(blob, tree);
  const commit = git(["commit-tree", root, "-m", "entries"]);
  git(["update-ref", "refs/heads/main", commit]);
}

describe("memory sync refuses a remote whose history holds unsafe paths", () => {
  for (const [what, shown] of [
    [".git", ".git"],
    ["..", "ops/.."],
  ] as const) {
    it(`names a ${what} entry and writes nothing (the repository's own config stays untouched)`, async () => {
      server = await startGitServer();
      hostileCommit(server.bare, (blob, tree) => {
        const config = tree([`100644 blob ${blob("[core]\n\tfsmonitor = touch /tmp/pwned-by-memory\n")}\tconfig`]);
        const ops = tree([
          `100644 blob ${blob(entryText("fine"))}\tfine.md`,
          ...(what === ".." ? [`100644 blob ${blob("planted\n")}\t..`] : []),
        ]);
        return tree([...(what === ".git" ? [`040000 tree ${config}\t.git`] : []), `040000 tree ${ops}\tops`]);
      });
      const store = await openMemory({ dir: await tempDir("victim-") });
      const error = await syncMemory(store, { url: server.url, noPush: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toMatch(
        new RegExp(`holds unsafe paths, so nothing was pulled: ${shown.replace(/\./g, "\\.")}$`),
      );
      expect((error as UserError).hint).toContain("remove those paths on the remote");
      expect(await readFile(join(store.gitdir, "config"), "utf8")).not.toContain("fsmonitor");
      expect(existsSync(join(store.dir, "ops", "fine.md"))).toBe(false);
    });
  }

  it("names a symbolic link in the remote's tree", async () => {
    server = await startGitServer();
    hostileCommit(server.bare, (blob, tree) => tree([`120000 blob ${blob("/etc/passwd")}\tpasswd.md`]));
    const store = await openMemory({ dir: await tempDir("victim-") });
    await expect(syncMemory(store, { url: server.url, noPush: true })).rejects.toThrow(
      /passwd\.md \(a symbolic link\)/,
    );
  });
});
