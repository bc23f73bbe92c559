import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
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

  it("refuses a file list that reaches outside the folder, before writing anything", async () => {
    const outside = join(tmpdir(), `ts-escape-${process.pid}.txt`);
    for (const path of ["../escape.txt", `../${basename(outside)}`, outside, "a/../../escape.txt"])
      await expect(tempDirWith({ [path]: "x" }, "ts-escape-")).rejects.toThrow(/is outside the temporary folder/);
    expect(existsSync(outside)).toBe(false);
  });

  it("refuses a prefix that is a path, so it never makes (or removes) a folder outside the OS temp folder", async () => {
    for (const prefix of ["../up-", "/etc/x-", "a/b-", ".hidden-", ""])
      await expect(tempDir(prefix)).rejects.toThrow(/must be a plain name/);
  });
});
