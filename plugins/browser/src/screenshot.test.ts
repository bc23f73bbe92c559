import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callTool, html, makeContext, serve, tempDir, type TestServer } from "../test/helpers.js";
import { groupMembers } from "./launch.js";
import { createBrowserPlugin, type BrowserPlugin } from "./index.js";

let site: TestServer;
let worksite: { path: string; remove(): Promise<void> };
let plugin: BrowserPlugin;

beforeAll(async () => {
  site = await serve({ "/": html("<h1>Picture me</h1>", "Picture") });
  worksite = await tempDir();
  plugin = createBrowserPlugin({ timeoutMs: 20_000 });
});

afterAll(async () => {
  await plugin?.session.close();
  await site?.close();
  await worksite?.remove();
});

describe("screenshots and a browser started ahead of its first call", () => {
  it("returns the screenshot inline when asked, the same picture as the saved artifact", async () => {
    const { ctx } = makeContext(worksite.path, `# Permissions\n\n## Allow\n- \`browser.*(${site.origin}/**)\`\n`);
    await callTool(plugin.tools.open, { url: `${site.origin}/` }, ctx);
    const shot = await callTool(plugin.tools.screenshot, { inline: true }, ctx);
    const [image] = shot.images ?? [];
    expect(image?.mimeType).toBe("image/png");
    const saved = await readFile(join(worksite.path, (shot.data as { path: string }).path));
    expect(Buffer.from(image!.data, "base64").equals(saved)).toBe(true);
    expect(saved.subarray(1, 4).toString()).toBe("PNG");
    const plain = await callTool(plugin.tools.screenshot, {}, ctx);
    expect(plain.images).toBeUndefined();
  });

  it("warming the plugin up starts Chromium before any call, and closing the session ends all of it", async () => {
    const warm = createBrowserPlugin();
    await warm.warmUp?.();
    const pid = warm.session.launched()?.pid;
    expect(warm.session.isOpen()).toBe(true);
    expect(pid).toBeDefined();
    await warm.session.close();
    expect(await groupMembers(pid!)).toEqual([]);
  });
});
