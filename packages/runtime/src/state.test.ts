import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readState, statePath } from "./state.js";
import { tempDir } from "@worksite/test-support";

describe("thread state", () => {
  it("a state.json that is not JSON at all is started afresh, not a crash", async () => {
    const root = await tempDir("worksite-state-");
    await mkdir(join(root, ".worksite"), { recursive: true });
    await writeFile(statePath(root), '{ "round": 4, oops');
    const state = await readState(root);
    expect(state).toMatchObject({ round: 0, state: "active" });
  });

  it("reads back a good state.json", async () => {
    const root = await tempDir("worksite-state-");
    await mkdir(join(root, ".worksite"), { recursive: true });
    await writeFile(statePath(root), '{ "round": 4, "state": "paused" }');
    expect(await readState(root)).toMatchObject({ round: 4, state: "paused" });
  });
});
