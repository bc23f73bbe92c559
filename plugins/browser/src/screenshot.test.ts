import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callTool, html, makeContext, serve, tempDir, type TestServer } from "../test/helpers.js";
import { groupMembers } from "./launch.js";
import { createBrowserPlugin, type BrowserPlugin } from "./index.js";

let site: TestServer;
/** Another site (localhost against 127.0.0.1): its frames are cross-origin, drawn by another renderer process. */
let other: TestServer;
let worksite: { path: string; remove(): Promise<void> };
let plugin: BrowserPlugin;

beforeAll(async () => {
  // Styled from a file, so a CSP that forbids inline styles (style attributes too) draws the same field.
  const field = (attributes: string, sheets = ["/field.css"]) =>
    html(
      `${sheets.map((href) => `<link rel="stylesheet" href="${href}">`).join("")}<input ${attributes} value="4111 1111 1111 1111">`,
      "Card",
    );
  const css = (text: string) => (_req: IncomingMessage, res: ServerResponse) =>
    void res.writeHead(200, { "content-type": "text/css" }).end(text);
  const routes = {
    "/field.css": css("input { font: 48px monospace; width: 700px }"),
    "/disc.css": css("input { -webkit-text-security: disc }"),
    "/card": field(`autocomplete="cc-number"`),
    // A Content-Security-Policy that forbids inline styles: a `<style>` element put in by the mask is refused.
    "/card-csp": (req, res) => {
      res.setHeader("content-security-policy", "default-src 'self'; style-src 'self'");
      field(`autocomplete="cc-number"`)(req, res);
    },
    // The references: the same field, not a card field, drawn as it is and disced by the page itself.
    "/plain": field(`name="note"`),
    "/disced": field(`name="note"`, ["/field.css", "/disc.css"]),
  };
  other = await serve(routes, "localhost");
  // The same field, inside a frame of the other site, as hosted card fields are.
  const framed = (path: string) =>
    html(`<iframe src="${other.origin}${path}" style="width: 800px; height: 140px; border: 0"></iframe>`, "Framed");
  site = await serve({
    ...routes,
    "/": html("<h1>Picture me</h1>", "Picture"),
    "/framed-card": framed("/card"),
    "/framed-plain": framed("/plain"),
    "/framed-disced": framed("/disced"),
  });

  worksite = await tempDir();
  plugin = createBrowserPlugin({ timeoutMs: 20_000 });
});

afterAll(async () => {
  await plugin?.session.close();
  await site?.close();
  await other?.close();
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

  it.each([
    ["", "/card", "/plain", "/disced"],
    [", also where the page's CSP forbids inline styles", "/card-csp", "/plain", "/disced"],
    [", also inside another site's frame", "/framed-card", "/framed-plain", "/framed-disced"],
  ])(
    "shows a card number's digits disced%s, and the page as it was afterwards",
    async (_, path, plainPath, discedPath) => {
      const { ctx } = makeContext(
        worksite.path,
        `# Permissions\n\n## Allow\n- \`browser.*(${site.origin}/**)\`\n- \`browser.*(${other.origin}/**)\`\n`,
      );
      const shoot = async (at: string) => {
        await callTool(plugin.tools.open, { url: `${site.origin}${at}` }, ctx);
        const shot = await callTool(plugin.tools.screenshot, { inline: true }, ctx);
        return shot.images![0]!.data;
      };
      const [plain, disced] = [await shoot(plainPath), await shoot(discedPath)];
      expect(plain).not.toBe(disced);
      const card = await shoot(path);
      expect(card).toBe(disced);
      // The mask was taken off: the page's own view of its style sheets is as the page left it.
      const sheets = await callTool(
        plugin.tools.evaluate,
        { function: "() => document.adoptedStyleSheets.length" },
        ctx,
      );
      expect(sheets.data).toMatchObject({ value: 0 });
    },
  );

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
