import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callTool, html, makeContext, refOf, serve, tempDir, type TestServer } from "../test/helpers.js";
import { createBrowserPlugin, type BrowserPlugin } from "./index.js";

// What a click waits for is what the page did, not a clock (issue 13 item 4): these pages navigate
// late, slowly, not at all, or with an answer that loads nothing.
let site: TestServer;
let worksite: { path: string; remove(): Promise<void> };
let plugin: BrowserPlugin;
/** What the server has answered, in order. */
const answered: string[] = [];

const later = (ms: number, route: (req: IncomingMessage, res: ServerResponse) => void) => {
  return (req: IncomingMessage, res: ServerResponse) => void setTimeout(() => route(req, res), ms);
};

beforeAll(async () => {
  site = await serve({
    "/start": html(
      `<form action="/slow-answer"><button>Send</button></form>
       <button onclick="setTimeout(() => { location.href = '/landed' }, 0)">Next task</button>
       <a href="/no-content">Nothing</a>
       <button onclick="document.title = 'counted'">Count</button>
       <a href="/with-data">Report</a>`,
      "Start",
    ),
    // The server takes its time: the click must wait for the new page, whatever the delay.
    "/slow-answer": later(400, html("<h1>Answered</h1>", "Answered")),
    "/landed": html("<h1>Landed</h1>", "Landed"),
    // 204: the browser asked, the server answered, and no new document ever commits.
    "/no-content": (_req, res) => void res.writeHead(204).end(),
    // A page that asks for its data once it has loaded, and gets it slowly.
    "/with-data": html(
      `<h1>Report</h1><script>addEventListener("load", () => fetch("/data").then((r) => r.text()))</script>`,
      "Report",
    ),
    "/data": later(400, (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" }).end("numbers");
      answered.push("/data");
    }),
  });
  worksite = await tempDir();
  // Calls time out long after the test would (30 s): a click that waits out its timeout fails the test.
  plugin = createBrowserPlugin({ timeoutMs: 60_000 });
});

afterAll(async () => {
  await plugin?.session.close();
  await site?.close();
  await worksite?.remove();
});

const permissions = () => `# Permissions\n\n## Allow\n- \`browser.*(${site.origin}/**)\`\n`;

async function clickOn(label: RegExp) {
  const { ctx } = makeContext(worksite.path, permissions(), plugin.tools);
  await callTool(plugin.tools.open, { url: `${site.origin}/start` }, ctx);
  const snap = await callTool(plugin.tools.snapshot, {}, ctx);
  const clicked = await callTool(plugin.tools.click, { ref: refOf(snap.content, label), element: "the control" }, ctx);
  return { ctx, clicked };
}

describe("after an action the browser waits for what the page did", () => {
  it("a form whose server answers slowly: the click returns on the answered page", async () => {
    const { clicked } = await clickOn(/button "Send"/);
    expect(clicked.data?.url).toBe(`${site.origin}/slow-answer?`);
    expect(await plugin.session.peek()?.page.title()).toBe("Answered");
  });

  it("a navigation the click's handler starts on the next task is followed to the new page", async () => {
    const { clicked } = await clickOn(/button "Next task"/);
    expect(clicked.data?.url).toBe(`${site.origin}/landed`);
    expect(await plugin.session.peek()?.page.title()).toBe("Landed");
  });

  it("a link answered with 204 No Content returns on the same page instead of waiting out the timeout", async () => {
    const { clicked, ctx } = await clickOn(/link "Nothing"/);
    expect(clicked.data?.url).toBe(`${site.origin}/start`);
    // And the next call is not held up waiting for a load that never comes.
    const snap = await callTool(plugin.tools.snapshot, {}, ctx);
    expect(snap.content).toContain('link "Nothing"');
  });

  it("a click that changes the page without navigating returns with the change made", async () => {
    const { clicked } = await clickOn(/button "Count"/);
    expect(clicked.data?.url).toBe(`${site.origin}/start`);
    expect(await plugin.session.peek()?.page.title()).toBe("counted");
  });

  it("a click that opens a page returns once the requests that page started are answered (network quiet)", async () => {
    const { clicked } = await clickOn(/link "Report"/);
    expect(clicked.data?.url).toBe(`${site.origin}/with-data`);
    expect(answered).toContain("/data");
  });
});
