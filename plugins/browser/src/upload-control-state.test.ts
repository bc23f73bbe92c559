import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { personStateDir, sealKey, sealKeyPath, type Gate } from "@worksite/core";
import { browserGate, callOk, html, refOf, serve, tempDir, type TestServer } from "../test/helpers.js";

/*
 * Issue 11 items 2 and 3 for browser.upload: even with `file.read(/**)`
 * allowed, the person's seal key and state folder (approvals, audit anchors)
 * never leave through a file input, by absolute path or by a symlink inside
 * the worksite; nor does the runtime's .worksite/. (Real Chromium, a real
 * local page; the person's folders are a temp folder: vitest.person-folders.ts.)
 */
let site: TestServer;
let worksite: { path: string; remove(): Promise<void> };
let gate: Gate;

beforeAll(async () => {
  site = await serve({
    "/upload": html(`<form><label>File <input id="f" name="f" type="file"></label></form>`, "Upload"),
  });
  worksite = await tempDir();
  const permissions = [
    "# Permissions",
    "",
    "## Allow",
    `- \`browser.*(${site.origin}/**)\``,
    "- `file.read(**)`",
    "- `file.read(/**)`",
    "",
  ].join("\n");
  await sealKey({ create: true });
  await mkdir(join(personStateDir(), "worksites"), { recursive: true });
  await mkdir(join(worksite.path, "docs"));
  await symlink(sealKeyPath(), join(worksite.path, "docs", "key.txt"));
  await symlink(personStateDir(), join(worksite.path, "docs", "state"));
  await writeFile(join(worksite.path, "docs", "cv.txt"), "Ada\n");
  ({ gate } = await browserGate(worksite.path, permissions, "run-upload"));
}, 60_000);

afterAll(async () => {
  await gate?.dispose();
  await site?.close();
  await worksite?.remove();
});

describe("browser.upload and the person's control state", () => {
  it("refuses the seal key, the state folder and .worksite/, however they are named, with file.read(/**) allowed", async () => {
    await callOk(gate, "browser.open", { url: `${site.origin}/upload` });
    const snap = await callOk(gate, "browser.snapshot", {});
    const ref = refOf(snap.result.content, /button "File" \[file\]/);
    const upload = (path: string) =>
      gate.call({ tool: "browser.upload", input: { ref, element: "File input", paths: [path] } });
    for (const path of [
      sealKeyPath(),
      "docs/key.txt",
      "docs/state/worksites",
      join(personStateDir(), "worksites"),
      ".worksite/id",
      ".worksite/audit.jsonl.head",
    ]) {
      const outcome = await upload(path);
      expect({ path, status: outcome.status }).toEqual({ path, status: "refused" });
    }
    expect((await upload("docs/cv.txt")).status).toBe("ok");
  }, 60_000);
});
