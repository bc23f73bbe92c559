import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { tempDir } from "@worksite/test-support";
import { describe, expect, it } from "vitest";
import { isNodeSpec, parseNodeSpec } from "./node-spec.js";

const TESTS = `import test from "node:test";
import assert from "node:assert";
test("adds", () => assert.equal(1 + 1, 2));
test("counts quantity", () => assert.equal(8, 11));
test("later", { skip: "not yet" }, () => {});
test.describe("cart", () => {
  test("empty", () => {});
  test("totals", () => { throw new Error("total was 7, wanted 9"); });
});
`;

/** What a round's log holds: the real `node --test --test-reporter=spec` of the Node running this suite, exit code 1. */
async function specOutput(): Promise<string> {
  const dir = await tempDir("worksite-spec-");
  await writeFile(join(dir, "cart.test.mjs"), TESTS);
  const run = await promisify(execFile)(process.execPath, ["--test", "--test-reporter=spec", "cart.test.mjs"], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
  }).catch((e: { stdout: string; stderr: string }) => e);
  return `$ npm test\n${run.stdout}${run.stderr}\n[exit 1, 300 ms, sandboxed]\n`;
}

describe(`node --test's spec reporter output (Node ${process.versions.node}, the runner's real output)`, () => {
  it("reads each test's outcome, nested under its suite, and each failure's message", async () => {
    const text = await specOutput();
    expect(isNodeSpec(text)).toBe(true);
    const tests = parseNodeSpec(text);
    expect(tests.map((t) => [t.name, t.status])).toEqual([
      ["adds", "passed"],
      ["counts quantity", "failed"],
      ["later", "skipped"],
      ["cart › empty", "passed"],
      ["cart › totals", "failed"],
    ]);
    expect(tests[1]!.message).toMatch(/8 == 11/);
    expect(tests[4]!.message).toMatch(/total was 7, wanted 9/);
    expect(tests[4]!.message).not.toMatch(/8 == 11/);
  });

  it("is not mistaken for other logs", () => {
    expect(isNodeSpec("$ make\nok 1 built\n[exit 0]\n")).toBe(false);
  });
});
