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
