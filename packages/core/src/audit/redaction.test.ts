import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { secretCorpus } from "../secrets/__fixtures__/secret-corpus.js";
import { openAuditLog } from "./audit-log.js";
import { tempDir } from "@worksite/test-support";

it("lets none of the 100+ corpus secrets reach audit.jsonl, wherever in an event they sit", async () => {
  const dir = await tempDir("worksite-audit-secrets-");
  try {
    const path = join(dir, ".worksite", "audit.jsonl");
    const log = openAuditLog(path);
    const corpus = secretCorpus();
    for (const [i, sample] of corpus.entries()) {
      const where = i % 4;
      await log.append({
        type: "result",
        actor: "agent",
        tool: "shell.run",
        target: where === 0 ? sample.text : "npm test",
        message: where === 1 ? sample.text : undefined,
        data:
          where === 2
            ? { output: sample.text, lines: sample.text.split("\n") }
            : where === 3
              ? { input: { command: "deploy", env: sample.text } }
              : undefined,
        outcome: "ok",
      });
    }
    const raw = await readFile(path, "utf8");
    const leaked = corpus.flatMap((s) =>
      s.values
        .filter((v) => raw.includes(v) || raw.includes(JSON.stringify(v).slice(1, -1)))
        .map((v) => `${s.kind}: ${v}`),
    );
    expect(leaked).toEqual([]);
    expect(await log.verify()).toEqual({ ok: true, entries: corpus.length });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it("still writes the entry of a call whose target is too long for the secret scanner, redacted whole", async () => {
  // An agent can send any target; one of 16 million token characters used to throw out of the append, so a read
  // call that had run left no entry at all.
  const dir = await tempDir("worksite-audit-unscannable-");
  try {
    const log = openAuditLog(join(dir, ".worksite", "audit.jsonl"));
    await log.append({ type: "decision", actor: "agent", tool: "browser.read", target: "Ab".repeat(8_000_000) });
    const [entry] = await log.entries();
    expect(entry).toMatchObject({ tool: "browser.read", target: "[REDACTED:unscannable]" });
    expect(await log.verify()).toEqual({ ok: true, entries: 1 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
