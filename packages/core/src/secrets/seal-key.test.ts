import { randomBytes } from "node:crypto";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { openAuditLog } from "../audit/audit-log.js";
import { rememberSealKey, SEAL_KEY_ENV } from "../gate/person-seal.js";
import { forgetSecretValues } from "./known-values.js";
import { redactSecrets, scanSecrets } from "./scan.js";
import { tempDirSync } from "@worksite/test-support";

const dir = tempDirSync("worksite-seal-redaction-");
const before = process.env[SEAL_KEY_ENV];
afterAll(() => {
  if (before === undefined) delete process.env[SEAL_KEY_ENV];
  else process.env[SEAL_KEY_ENV] = before;
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => forgetSecretValues());

describe("the worksite's own seal key", () => {
  it("is never created by the redactor: with no key file, nothing is made and nothing remembered", async () => {
    const path = join(dir, "missing", "approval.key");
    process.env[SEAL_KEY_ENV] = path;
    expect(await rememberSealKey()).toBe(false);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(join(dir, "missing"))).toBe(false);
  });

  it("is redacted in hex, upper-case hex, base64 and base64url once the key file exists", async () => {
    const key = randomBytes(32);
    const path = join(dir, "approval.key");
    writeFileSync(path, `${key.toString("hex")}\n`);
    process.env[SEAL_KEY_ENV] = path;
    const forms = [
      key.toString("hex"),
      key.toString("hex").toUpperCase(),
      key.toString("base64"),
      key.toString("base64url"),
    ];
    const text = forms.map((f, i) => `line ${i}: the key is ${f} (copied)`).join("\n");
    expect(scanSecrets(text)).toEqual([]);
    expect(await rememberSealKey()).toBe(true);
    expect(scanSecrets(text).map((f) => f.kind)).toEqual(forms.map(() => "worksite-seal-key"));
    const redacted = redactSecrets(text);
    for (const f of forms) expect(redacted).not.toContain(f);
    expect(redacted).toContain("[REDACTED:worksite-seal-key]");
  });

  it("never reaches audit.jsonl: an agent that read the key and printed it has it redacted on disk", async () => {
    const key = randomBytes(32);
    const path = join(dir, "approval-2.key");
    writeFileSync(path, `${key.toString("hex")}\n`);
    process.env[SEAL_KEY_ENV] = path;
    const logPath = join(dir, "ws", ".worksite", "audit.jsonl");
    const log = openAuditLog(logPath);
    await log.append({
      type: "result",
      actor: "agent",
      tool: "shell.run",
      target: "cat ~/.config/worksite/approval.key",
      message: `${key.toString("hex")}\n`,
      outcome: "ok",
    });
    const raw = await readFile(logPath, "utf8");
    expect(raw).not.toContain(key.toString("hex"));
    expect(raw).toContain("[REDACTED:worksite-seal-key]");
    expect(await log.verify()).toEqual({ ok: true, entries: 1 });
  });
});
