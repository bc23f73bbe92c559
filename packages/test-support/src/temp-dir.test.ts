import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir, tempDirWith } from "./temp-dir.js";

let fromEarlierTest = "";

describe("temporary folders for tests", () => {
  it("makes a fresh folder holding the files asked for", async () => {
    const dir = await tempDirWith({ "a/b.txt": "hello", "empty/": "" }, "ts-with-");
    expect(await readFile(join(dir, "a/b.txt"), "utf8")).toBe("hello");
    expect(existsSync(join(dir, "empty"))).toBe(true);
    expect(dir).not.toBe(await tempDir("ts-with-"));
    fromEarlierTest = dir;
  });

  it("has removed the folder once the test that made it finished", () => {
    expect(fromEarlierTest).not.toBe("");
    expect(existsSync(fromEarlierTest)).toBe(false);
  });
});
