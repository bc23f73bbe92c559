import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "@worksite/test-support";
import { sandboxPolicy } from "./policy.js";

describe("the sandbox policy and the person's folders", () => {
  it("drops a THREAD.md write widening that reaches the person's folders through a symlinked home, and hides them by both paths", async () => {
    const person = await tempDir("worksite-sandbox-home-");
    const real = join(person, "real");
    const link = join(person, "home");
    await mkdir(join(real, "projects"), { recursive: true });
    await symlink(real, link);
    // The person's folders are named through the symlink, and the config folder does not exist yet.
    const env = {
      HOME: link,
      XDG_CONFIG_HOME: join(link, "config"),
      XDG_STATE_HOME: join(link, "state"),
      WORKSITE_STATE_DIR: join(link, "state", "worksite"),
    };
    const root = await tempDir("worksite-sandbox-root-");
    const policy = sandboxPolicy({
      root,
      env,
      thread: { sandbox: { off: false, write: [real, join(real, "config"), join(real, "projects")], hosts: [] } },
    });
    expect(policy.write).toEqual([root, join(real, "projects")]);
    expect(policy.unreadable).toEqual(
      expect.arrayContaining([join(link, "config", "worksite"), join(real, "config", "worksite")]),
    );
  });
});
