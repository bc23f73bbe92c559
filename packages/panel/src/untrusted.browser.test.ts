import { join } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Panel, startPanel } from "./start.js";
import { launchChromium, screenshot, watchForExecution } from "./testing/browser.js";
import { panelWorksite, plantArtifacts, put } from "./testing/fixture.js";

/*
 * Everything an agent produced is untrusted (issue 17 item 3). Each payload below tries to run
 * script in the person's panel, where it could press Approve; in real Chromium, none may run.
 * A payload that ran would set window.__pwned or open a dialog.
 */

const MD = `# Round report

<script>window.__pwned = "script"; alert("script")</script>
<img src="x" onerror="window.__pwned='img-onerror'; alert('img')">

[click me](javascript:window.__pwned='md-link';alert('md-link')) and [data](data:text/html,<script>alert(1)</script>)

<a id="raw-link" href="javascript:window.__pwned='a-link';alert('a-link')">raw link</a>
<iframe src="javascript:parent.__pwned='iframe'"></iframe>
<svg><script>window.__pwned='inline-svg'</script><a xlink:href="javascript:alert(1)"><text>svg link</text></a></svg>
<style>main { display: none }</style>
<form method="post" action="/t/0/inbox"><input name="text" value="from the agent"><button id="agent-form">send</button></form>
<object data="evil.svg"></object>
<base href="http://evil.example/">

![a picture](evil.svg)
`;

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" onload="window.__pwned='svg-onload';alert('svg-onload')">
<script>window.__pwned='svg-script'; alert('svg-script')</script>
<rect width="120" height="40" fill="orange"/><text x="8" y="26">svg</text></svg>`;

const NAME = `"><img src=x onerror="window.__pwned='name'">.txt`;

let root: string;
let panel: Panel;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let browser: Browser;

beforeAll(async () => {
  root = await panelWorksite();
  await plantArtifacts(root, [
    { path: "artifacts/round-1/report.md", kind: "markdown", round: 1, data: MD },
    { path: "artifacts/round-1/evil.svg", kind: "screenshot", round: 1, data: SVG },
    {
      path: "artifacts/round-1/page.html",
      kind: "log",
      round: 1,
      data: "<script>window.__pwned='html'</script><h1>page</h1>",
    },
    {
      path: "artifacts/round-1/table.csv",
      kind: "table",
      round: 1,
      data: `name,note\n<script>alert(1)</script>,"<img src=x onerror=alert(2)>"\n`,
    },
    { path: `artifacts/round-1/${NAME}`, kind: "log", round: 1, data: "a file with a hostile name" },
  ]);
  await put(root, "PROGRESS.md", `# Progress\n\n## Round 1 — continue\n\n${MD}`);
  panel = await startPanel({ worksites: [root] });
  chromium = await launchChromium();
  browser = chromium.browser;
});
afterAll(async () => {
  await chromium?.close();
  await panel?.close();
});

async function signedInPage(): Promise<{ page: Page; seen: { dialogs: string[] } }> {
  const page = await browser.newPage();
  const seen = watchForExecution(page);
  await page.goto(panel.newLoginUrl(), { waitUntil: "load" });
  return { page, seen };
}

async function nothingRan(page: Page, seen: { dialogs: string[] }): Promise<void> {
  // Give any handler (onerror on a broken image, an SVG's onload) its chance first: wait until every image settled.
  await page.waitForFunction(() => [...document.images].every((i) => i.complete), { timeout: 20_000 });
  expect(await page.evaluate(() => (window as { __pwned?: string }).__pwned)).toBeUndefined();
  expect(seen.dialogs).toEqual([]);
  const dom = await page.evaluate(() => ({
    scripts: [...document.scripts].map((s) => s.getAttribute("src")),
    handlers: [...document.querySelectorAll("*")].filter((e) => [...e.attributes].some((a) => a.name.startsWith("on")))
      .length,
    jsLinks: [...document.querySelectorAll("[href],[src],[data],[action]")].filter((e) =>
      ["href", "src", "data", "action", "xlink:href"].some((n) => /^\s*javascript:/i.test(e.getAttribute(n) ?? "")),
    ).length,
    frames: document.querySelectorAll("iframe,object,embed,base").length,
    mainShown: getComputedStyle(document.querySelector("main")!).display !== "none",
  }));
  expect(dom).toEqual({ scripts: ["/static/panel.js"], handlers: 0, jsLinks: 0, frames: 0, mainShown: true });
}

describe("agent-made evidence never runs in the panel (real Chromium)", () => {
  it("a markdown artifact with <script>, <img onerror>, javascript: links and inline SVG script runs nothing", async () => {
    const { page, seen } = await signedInPage();
    await page.goto(`${panel.origin}/t/0/artifact?path=${encodeURIComponent("artifacts/round-1/report.md")}`, {
      waitUntil: "load",
    });
    await nothingRan(page, seen);
    // The markdown link survives as text with no href; clicking it goes nowhere and runs nothing.
    const link = await page.$("article.markdown a");
    if (link) await link.click();
    expect(await page.evaluate(() => (window as { __pwned?: string }).__pwned)).toBeUndefined();
    // The agent's own form is gone: it cannot post to the panel.
    expect(await page.$("#agent-form")).toBeNull();
    await screenshot(page, "attack-markdown-artifact");
    await page.close();
  });

  it("the same payloads in PROGRESS.md run nothing on the thread and rounds pages", async () => {
    const { page, seen } = await signedInPage();
    await page.goto(`${panel.origin}/t/0`, { waitUntil: "load" });
    await nothingRan(page, seen);
    await page.goto(`${panel.origin}/t/0/rounds`, { waitUntil: "load" });
    await nothingRan(page, seen);
    await page.close();
  });

  it("an SVG with script shows as an image and, opened directly, still runs nothing", async () => {
    const { page, seen } = await signedInPage();
    await page.goto(`${panel.origin}/t/0/artifact?path=${encodeURIComponent("artifacts/round-1/evil.svg")}`, {
      waitUntil: "load",
    });
    await nothingRan(page, seen);
    expect(await page.$eval("figure img", (i) => (i as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await page.goto(`${panel.origin}/t/0/raw?path=${encodeURIComponent("artifacts/round-1/evil.svg")}`, {
      waitUntil: "load",
    });
    expect(await page.evaluate(() => (window as { __pwned?: string }).__pwned)).toBeUndefined();
    expect(seen.dialogs).toEqual([]);
    await page.close();
  });

  it("an HTML artifact, a CSV with markup and a hostile file name are shown as text", async () => {
    const { page, seen } = await signedInPage();
    for (const path of ["artifacts/round-1/page.html", "artifacts/round-1/table.csv", `artifacts/round-1/${NAME}`]) {
      await page.goto(`${panel.origin}/t/0/artifact?path=${encodeURIComponent(path)}`, { waitUntil: "load" });
      await nothingRan(page, seen);
    }
    expect(await page.$eval("main", (m) => m.textContent)).toContain("a file with a hostile name");
    await page.goto(`${panel.origin}/t/0/raw?path=${encodeURIComponent("artifacts/round-1/page.html")}`, {
      waitUntil: "load",
    });
    expect(await page.evaluate(() => (window as { __pwned?: string }).__pwned)).toBeUndefined();
    await page.goto(`${panel.origin}/t/0/artifacts`, { waitUntil: "load" });
    await nothingRan(page, seen);
    await screenshot(page, "attack-artifacts-list");
    await page.close();
  });
});

describe("a page without the session sees nothing (real Chromium)", () => {
  it("a fresh browser profile gets the sign-in refusal, not the thread", async () => {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    const reply = await page.goto(`${panel.origin}/t/0`, { waitUntil: "load" });
    expect(reply?.status()).toBe(401);
    expect(await page.$eval("body", (b) => b.textContent)).not.toContain("Panel test thread");
    await context.close();
  });
});

void join;
