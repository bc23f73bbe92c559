import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Chromium,
  startChromium,
  startLoggingPage,
  startXvfb,
  waitUntil,
  type Xvfb,
} from "../../plugins/computer-use/test/desktop.js";

/*
 * Issue 15 item 5: the plugin as a person uses it, by name in THREAD.md, in
 * the built `worksite run` (a script agent clicking the page's button) and
 * over `worksite mcp` with the SDK's own client, on a real X display.
 */

const repo = resolve(import.meta.dirname, "../..");
const bin = join(repo, "packages/cli/dist/bin.js");
const exec = promisify(execFile);

let x: Xvfb;
let page: Awaited<ReturnType<typeof startLoggingPage>>;
let chromium: Chromium;
const roots: string[] = [];
// 1600x1000 on screen, 1280x800 for the model.
const scaled = (p: { x: number; y: number }) => ({ x: Math.round(p.x * 0.8), y: Math.round(p.y * 0.8) });

beforeAll(async () => {
  x = await startXvfb("1600x1000");
  page = await startLoggingPage();
  chromium = await startChromium(x.display, page.url, { position: [0, 0], size: [900, 520] });
  await waitUntil(() => page.layout(), "the page to report its layout");
});

afterAll(async () => {
  await chromium?.stop();
  await page?.close();
  await x?.stop();
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

async function desktopWorksite(steps: string[]): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "worksite-cu-e2e-"));
  roots.push(root);
  await writeFile(
    join(root, "THREAD.md"),
    "---\nplugins: [computer-use]\nstage: write\nagent: script\n---\n# Press the button on the desktop\n\n## Owns\n- src/\n",
  );
  await writeFile(
    join(root, "GOAL.md"),
    ["---", "verify: []", "steps:", ...steps, "---", "# Goal", "Press the button.", ""].join("\n"),
  );
  await writeFile(
    join(root, "PERMISSIONS.md"),
    "# Permissions\n\n## Allow\n- `computer.*(app:Chromium)`\n\n## Forbidden\n- `computer.*(app:KeePassXC)`\n",
  );
  return root;
}

const clicks = () => page.events.filter((e) => e.type === "click" && e.target === "press").length;

describe("the computer-use plugin named in THREAD.md", () => {
  it("`worksite run` takes a screenshot and clicks the button through the gate, with evidence", async () => {
    const press = scaled(page.layout()!.press!);
    const root = await desktopWorksite([
      "  - tool: computer.screenshot",
      "    input: {}",
      "  - tool: computer.click",
      `    input: { x: ${press.x}, y: ${press.y} }`,
    ]);
    const before = clicks();
    await exec(process.execPath, [bin, "run", "--rounds", "1", "-w", root], {
      env: { ...process.env, DISPLAY: x.display },
      timeout: 90_000,
    }).catch((error) => {
      // A run that stops for its own reasons (no verification) exits non-zero; what it did is in the audit log.
      if (!error.stdout && !error.stderr) throw error;
    });
    await waitUntil(() => clicks() > before, "the run's click to reach the page");
    const audit = (await readFile(join(root, ".worksite", "audit.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const result = audit.find((e) => e.type === "result" && e.tool === "computer.click");
    expect(result).toMatchObject({ outcome: "ok", target: "app:Chromium" });
    expect(result.artifacts[0]).toMatch(/^artifacts\/round-1\/computer-click.*\.png$/);
  });

  it("`worksite mcp` offers the tools with the screen size the model sees, and a click lands", async () => {
    const root = await desktopWorksite(["  - tool: computer.screenshot", "    input: {}"]);
    const client = new Client({ name: "computer-use-e2e", version: "1.0.0" });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [bin, "mcp", "-w", root],
        env: { ...(process.env as Record<string, string>), DISPLAY: x.display },
        stderr: "pipe",
      }),
    );
    try {
      const { tools } = await client.listTools();
      const click = tools.find((t) => t.name === "computer_click");
      expect(click?.description).toContain("1280x800");
      const shot = await client.callTool({ name: "computer_screenshot", arguments: {} });
      expect((shot.structuredContent as { data: { width: number } }).data.width).toBe(1280);
      // The client's model sees the screenshot itself, not only its path.
      const picture = (shot.content as { type: string; mimeType?: string; data?: string }[]).find(
        (c) => c.type === "image",
      );
      expect(picture?.mimeType).toBe("image/png");
      expect(Buffer.from(picture!.data!, "base64").subarray(1, 4).toString()).toBe("PNG");
      const before = clicks();
      const press = scaled(page.layout()!.press!);
      const clicked = await client.callTool({ name: "computer_click", arguments: press });
      expect(clicked.isError).toBeFalsy();
      await waitUntil(() => clicks() > before, "the MCP click to reach the page");
    } finally {
      await client.close();
    }
  });
});
