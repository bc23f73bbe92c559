import { copyFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { openAuditLog } from "@worksite/core";
import { tempDir } from "@worksite/test-support";
import { describe, expect, it } from "vitest";
import { auditFacts } from "./from-audit.js";

const decide = (message: string) => ({ type: "approval" as const, actor: "person:alice", message });

describe("the standing state's reading of the audit log", () => {
  it("reads only what was appended since the last look, and starts over when the log is not the one it read", async () => {
    const dir = await tempDir("worksite-facts-");
    const file = join(dir, "audit.jsonl");
    const cache = join(dir, "facts.json");
    const log = openAuditLog(file);
    await log.append(decide("approved ap_1"));
    await log.close?.();
    expect((await auditFacts(file, cache)).decisions.map((d) => d.what)).toEqual(["approved ap_1"]);
    const firstOffset = JSON.parse(await readFile(cache, "utf8")).offset as number;

    const again = openAuditLog(file);
    await again.append({ type: "run", actor: "runtime", message: "round 1 ended" });
    await again.append(decide("denied ap_2"));
    await again.close?.();
    const facts = await auditFacts(file, cache);
    expect(facts.decisions.map((d) => [d.what, d.line])).toEqual([
      ["approved ap_1", 1],
      ["denied ap_2", 3],
    ]);
    expect(JSON.parse(await readFile(cache, "utf8")).offset).toBeGreaterThan(firstOffset);

    // A different, longer log put in its place: nothing of the old one is shown.
    const other = join(await tempDir("worksite-facts-other-"), "audit.jsonl");
    const fresh = openAuditLog(other);
    await fresh.append(decide("approved ap_9"));
    await fresh.append(decide("approved ap_10"));
    await fresh.append(decide("approved ap_11"));
    await fresh.close?.();
    await copyFile(other, file);
    expect((await auditFacts(file, cache)).decisions.map((d) => d.what)).toEqual([
      "approved ap_9",
      "approved ap_10",
      "approved ap_11",
    ]);
  });

  it("shows a steer from the panel once, when it was sent, though the round logs it again when it takes it", async () => {
    const file = join(await tempDir("worksite-facts-inbox-"), "audit.jsonl");
    const log = openAuditLog(file);
    const steer = { type: "inbox" as const, actor: "person:panel" };
    await log.append({
      ...steer,
      message: "steering sent from the panel: tests first",
      data: { id: "m1", kind: "steer" },
    });
    await log.append({ ...steer, round: 2, message: "steering taken: tests first", data: { id: "m1" } });
    await log.append({
      type: "inbox",
      actor: "runtime",
      round: 2,
      message: "steering put back: tests first",
      data: { id: "m1" },
    });
    await log.append({ ...steer, round: 3, message: "steering taken: tests first", data: { id: "m1" } });
    // `worksite steer` logs nothing when it sends: the taking is the one line.
    await log.append({
      type: "inbox",
      actor: "person:alice",
      round: 3,
      message: "steering taken: docs too",
      data: { id: "m2" },
    });
    await log.close?.();
    expect((await auditFacts(file)).decisions.map((d) => d.what)).toEqual([
      "steering sent from the panel: tests first",
      "steering taken: docs too",
    ]);
  });
});
