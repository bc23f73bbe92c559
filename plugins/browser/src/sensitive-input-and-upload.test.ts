import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { approvalsDir, approve, readApproval, type AuditLog, type Gate, type GateOutcome } from "@worksite/core";
import { browserGate, callOk, html, refOf, serve, tempDir, type TestServer } from "../test/helpers.js";

/*
 * The browser plugin behind the real gate, where a page could learn what the
 * worksite keeps private: a password typed into a password field waits for a
 * person without being written down anywhere, and browser.upload sends only
 * files the agent may read (never the runtime's own .worksite/ state).
 */
let site: TestServer;
let worksite: { path: string; remove(): Promise<void> };
let outside: { path: string; remove(): Promise<void> };
let gate: Gate;
let audit: AuditLog;

const PASSWORD = "correct horse battery staple";

beforeAll(async () => {
  site = await serve({
    "/login": html(`<form><label>Password <input name="pw" type="password"></label></form>`, "Login"),
    "/upload": html(`<form><label>File <input id="f" name="f" type="file" multiple></label></form>`, "Upload"),
  });
  worksite = await tempDir();
  outside = await tempDir("worksite-browser-outside-");
  const permissions = [
    "# Permissions",
    "",
    "## Allow",
    `- \`browser.*(${site.origin}/**)\``,
    // browser.evaluate needs a rule of its own: `browser.*` does not allow it.
    `- \`browser.evaluate(${site.origin}/**)\``,
    "",
    "## Forbidden",
    "- `file.read(secrets/**)`",
    "",
  ].join("\n");
  await mkdir(join(worksite.path, "secrets"));
  await writeFile(join(worksite.path, "secrets", "prod.env"), "DB=postgres://prod\n");
  await mkdir(join(worksite.path, "docs"));
  await writeFile(join(worksite.path, "docs", "cv.txt"), "Ada Lovelace, analyst\n");
  await writeFile(join(outside.path, "elsewhere.txt"), "not the worksite's\n");
  await symlink(join(outside.path, "elsewhere.txt"), join(worksite.path, "docs", "link.txt"));
  ({ gate, audit } = await browserGate(worksite.path, permissions, "run-sensitive"));
}, 60_000);

afterAll(async () => {
  await gate?.dispose();
  await site?.close();
  await worksite?.remove();
  await outside?.remove();
});

const ok = (tool: string, input: unknown) => callOk(gate, tool, input);

/** Paths of the files under .worksite/, artifacts/ and this worksite's approvals (in the person's state folder) whose text contains `value`. */
async function filesHolding(value: string): Promise<string[]> {
  const found: string[] = [];
  let seen = 0;
  const approvals = await approvalsDir(worksite.path);
  for (const dir of [
    join(worksite.path, ".worksite"),
    join(worksite.path, "artifacts"),
    ...(approvals ? [approvals] : []),
  ]) {
    if (!existsSync(dir)) continue;
    for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      seen += 1;
      const path = join(entry.parentPath, entry.name);
      // The audit log's lock file comes and goes while its writer holds and hands back the log.
      const text = await readFile(path, "utf8").catch(() => undefined);
      if (text?.includes(value)) found.push(path);
    }
  }
  if (seen === 0) throw new Error("nothing under .worksite/ or artifacts/ to look at");
  return found;
}

async function attachedFiles(ref: string): Promise<string[]> {
  const out = await ok("browser.evaluate", {
    function: "(el) => Array.from(el.files).map((f) => f.name)",
    ref,
    element: "File input",
  });
  return (out.result.data as { value: string[] }).value;
}

describe("sensitive input and uploads behind the gate", () => {
  it("never stores a typed password in the approval record", async () => {
    await ok("browser.open", { url: `${site.origin}/login` });
    const snap = await ok("browser.snapshot", {});
    const pw = refOf(snap.result.content, /textbox "Password"/);
    const call = { tool: "browser.type", input: { ref: pw, element: "Password field", text: PASSWORD } };

    const pending = await gate.call(call);
    expect(pending.status).toBe("pending-approval");
    expect(await filesHolding(PASSWORD)).toEqual([]);
    const { approvalId } = pending as Extract<GateOutcome, { status: "pending-approval" }>;
    // Approvals live in the person's state folder (a temp folder in tests), not in the worksite.
    const record = (await readApproval(worksite.path, approvalId)) as unknown as {
      target: string;
      input: { text: string };
    };
    expect(record.target).toBe(`${site.origin}/login`);
    expect(record.input.text).toBe("[REDACTED:sensitive-input]");

    // The person approves the page and the field; the agent's identical call then runs, once.
    await approve(worksite.path, approvalId, { by: "person:alice", audit });
    const typed = await ok(call.tool, call.input);
    expect(typed.result.content).not.toContain(PASSWORD);
    const length = await ok("browser.evaluate", {
      function: "(el) => el.value.length",
      ref: pw,
      element: "Password field",
    });
    expect((length.result.data as { value: number }).value).toBe(PASSWORD.length);
    expect((await gate.call(call)).status).toBe("pending-approval");
    expect(await filesHolding(PASSWORD)).toEqual([]);
  }, 60_000);

  it("refuses to upload a file the worksite's rules forbid reading, and anything under .worksite/", async () => {
    await ok("browser.open", { url: `${site.origin}/upload` });
    const snap = await ok("browser.snapshot", {});
    const input = refOf(snap.result.content, /button "File" \[file\]/);
    const upload = (paths: string[]) =>
      gate.call({ tool: "browser.upload", input: { ref: input, element: "File input", paths } });

    const state = await upload([".worksite/audit.jsonl"]);
    expect(state).toMatchObject({ status: "refused", message: expect.stringContaining("`.worksite/`") });
    const forbidden = await upload(["secrets/prod.env"]);
    expect(forbidden).toMatchObject({
      status: "refused",
      message: expect.stringContaining("refused to upload secrets/prod.env"),
    });
    expect((forbidden as { message: string }).message).toContain("PERMISSIONS.md:8 `file.read(secrets/**)`");
    expect(await upload(["../../etc/hostname"])).toMatchObject({
      status: "refused",
      message: expect.stringContaining("outside the worksite"),
    });
    expect(await upload(["docs/link.txt"])).toMatchObject({
      status: "refused",
      message: expect.stringContaining("outside the worksite"),
    });
    // One forbidden file refuses the whole upload: the allowed one is not attached either.
    expect((await upload(["docs/cv.txt", "secrets/prod.env"])).status).toBe("refused");
    expect(await attachedFiles(input)).toEqual([]);

    // A file the rules let the agent read goes through.
    expect((await upload(["docs/cv.txt"])).status).toBe("ok");
    expect(await attachedFiles(input)).toEqual(["cv.txt"]);
    const refusals = (await audit.entries()).filter(
      (e) => e.tool === "browser.upload" && e.type === "result" && e.outcome === "refused",
    );
    expect(refusals).toHaveLength(5);
  }, 60_000);
});
