import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { AuditLog, Gate } from "@worksite/core";
import { MASK_CSS } from "@worksite/page";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChromePlugin } from "../src/index.js";
import {
  allowOnConnect,
  type ChromeTestFolders,
  chromeGate,
  chromeTestFolders,
  html,
  personsChrome,
  serve,
  shareTab,
  waitUntil,
} from "./helpers.js";

/*
 * The navigation guard is on for a shared tab's whole life, not only while an action runs, and it pauses only
 * documents. Attacks: the page itself goes to a forbidden origin between two calls (a script setting `location`,
 * a server redirect), after the agent only read the tab, and after the extension let go of the tab for being idle.
 *
 * What the guard decides: every document the tab loads — the main frame's, a frame's, each redirect hop, a form
 * post, a meta refresh — as a chrome.open of its URL. Subresources (images, scripts, fetch) were never decided by
 * it (it paused documents only before this change too); they stay the page's own business in the person's Chrome.
 */
let site: Awaited<ReturnType<typeof serve>>;
let forbidden: Awaited<ReturnType<typeof serve>>;
const forbiddenHits: string[] = [];
/** Where each test page should send itself next (the page asks every 100 ms): the test decides when. */
const next = new Map<string, string>();
let folders: ChromeTestFolders | undefined;
let browser: Browser;
let hands: Page;
let gate: Gate;
let audit: AuditLog;
let plugin: ChromePlugin;

const card = html(
  `<input id="card" autocomplete="cc-number" value="4111 1111 1111 1111" style="font: 56px monospace; width: 760px">
   <button onclick="document.title = 'clicked'">Go</button>`,
  "Card",
);

/** The mask put on by hand, as the page's own script could (a constructed sheet: no CSP refuses it). */
const maskByHand = (page: Page) =>
  page.evaluate((css) => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  }, MASK_CSS);
const adoptedSheets = (page: Page) => page.evaluate(() => document.adoptedStyleSheets.length);

// The page asks the server where to go, so the test chooses the moment: after the agent's call returned.
const steered = (id: string) =>
  html(
    `<h1>Page ${id}</h1><script>
      setInterval(async () => {
        const to = await (await fetch("/go?id=${id}")).text();
        if (to) location.href = to;
      }, 100);
    </script>`,
    `Page ${id}`,
  );

beforeAll(async () => {
  forbidden = await serve({
    "/": (req, res) => {
      forbiddenHits.push(req.url ?? "");
      html("<h1>Forbidden land</h1>")(req, res);
    },
    "/pixel.png": (req, res) => {
      forbiddenHits.push(req.url ?? "");
      res.writeHead(204).end();
    },
  });
  site = await serve({
    "/read-only": steered("read-only"),
    "/redirected": steered("redirected"),
    "/idle": steered("idle"),
    "/go": (req, res) => {
      const id = new URL(req.url ?? "/", "http://x").searchParams.get("id") ?? "";
      const to = next.get(id) ?? "";
      if (to) next.delete(id);
      res.writeHead(200, { "content-type": "text/plain", "cache-control": "no-store" }).end(to);
    },
    "/away": (_req, res) => void res.writeHead(302, { location: `${forbidden.origin}/` }).end(),
    "/card": card,
    // A page whose Content-Security-Policy forbids inline styles: a `<style>` element put in by the mask is refused.
    "/card-csp": (req, res) => {
      res.setHeader("content-security-policy", "default-src 'self'; style-src 'self'; script-src 'unsafe-inline'");
      card(req, res);
    },
    "/later": html(
      `<div id="box" style="width: 400px; height: 240px; background: white; border: 1px solid #888"></div>
       <button onclick="setTimeout(() => { document.getElementById('box').style.background = 'black' }, 0)">Darken</button>`,
      "Later",
    ),
    "/documents": html(
      `<h1>Documents</h1><img src="${forbidden.origin}/pixel.png" alt="pixel">
       <form id="post" method="post" action="${forbidden.origin}/"><input name="q" value="x"></form>
       <button onclick="const f = document.createElement('iframe'); f.src = '${forbidden.origin}/'; document.body.append(f)">Frame</button>
       <button onclick="document.getElementById('post').submit()">Post</button>`,
      "Documents",
    ),
  });
  folders = await chromeTestFolders();
  const chrome = await personsChrome(folders.profile.path);
  browser = chrome.browser;
  hands = await chrome.extensionPage();
  ({ gate, audit, plugin } = await chromeGate(
    folders.worksite.path,
    [
      "# Permissions",
      "",
      "## Allow",
      `- \`chrome.*(${site.origin}/**)\``,
      `- \`chrome.click(${site.origin}/**)\``,
      "",
      "## Forbidden",
      `- \`chrome.*(${forbidden.origin}/**)\``,
      "",
    ].join("\n"),
    // A short idle time: the extension lets go of the tab between calls, as it does after a minute for a person.
    { openConnectPage: allowOnConnect(browser), idleMs: 1500 },
  ));
});

afterAll(async () => {
  await gate?.dispose();
  await browser?.close();
  for (const s of [site, forbidden]) await s?.close();
  await folders?.remove();
});

/** The person opens a page in their Chrome and drags it into the worksite group. */
async function shared(path: string) {
  const page = await browser.newPage();
  await page.goto(`${site.origin}${path}`);
  await shareTab(hands, `${site.origin}${path}`);
  return page;
}

/** How many times the guard refused a document at `url` (each is a chrome.open decision in the audit log). */
async function refusals(url: string): Promise<number> {
  const entries = await audit.entries();
  return entries.filter((e) => e.tool === "chrome.open" && e.target === url && e.tier === "forbidden").length;
}

/** Waits until the guard refused one more document at `url` than `before`, deciding it with the latest call. */
async function refusedAgain(url: string, before: number) {
  await waitUntil(async () => (await refusals(url)) > before, `the guard to refuse ${url}`);
}

/** The person closes the tab; the session ends with it before the next test shares another. */
async function closeShared(page: Page) {
  await page.close();
  await waitUntil(() => !plugin.session.peek(), "the closed tab's session to end");
}

async function attachedTabs(): Promise<number> {
  return hands.evaluate(async () => {
    // The extension page's own runtime API (the test evaluates in it).
    const runtime = (globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } } })
      .chrome.runtime;
    const s = (await runtime.sendMessage({ type: "status" })) as { attached: number[] };
    return s.attached.length;
  });
}

describe("the navigation guard, for the tab's whole life", () => {
  it("refuses the page's own navigation to a forbidden origin after the agent only read the tab", async () => {
    const page = await shared("/read-only");
    const read = await gate.call({ tool: "chrome.read", input: {} });
    expect(read.status === "ok" && read.result.content).toContain("Page read-only");
    // Between two calls, the page's script sends the tab to the forbidden origin.
    const before = await refusals(`${forbidden.origin}/`);
    next.set("read-only", `${forbidden.origin}/`);
    await refusedAgain(`${forbidden.origin}/`, before);
    expect(forbiddenHits).toEqual([]);
    // The next result the agent gets that runs reports it (a refused document leaves an error page behind).
    expect(plugin.session.peek()?.blocked.map((b) => b.url)).toContain(`${forbidden.origin}/`);
    await closeShared(page);
  });

  it("refuses a server redirect to a forbidden origin that the page's own navigation runs into", async () => {
    const page = await shared("/redirected");
    expect((await gate.call({ tool: "chrome.read", input: {} })).status).toBe("ok");
    const before = await refusals(`${forbidden.origin}/`);
    next.set("redirected", `${site.origin}/away`);
    await refusedAgain(`${forbidden.origin}/`, before);
    expect(forbiddenHits).toEqual([]);
    await closeShared(page);
  });

  it("still refuses the page's own navigation after the extension let go of the idle tab and took it again", async () => {
    const page = await shared("/idle");
    expect((await gate.call({ tool: "chrome.read", input: {} })).status).toBe("ok");
    await waitUntil(async () => (await attachedTabs()) === 0, "the idle detach");
    // A read attaches again; the pause on documents comes back with it, before any action.
    expect((await gate.call({ tool: "chrome.read", input: {} })).status).toBe("ok");
    const before = await refusals(`${forbidden.origin}/`);
    next.set("idle", `${forbidden.origin}/`);
    await refusedAgain(`${forbidden.origin}/`, before);
    expect(forbiddenHits).toEqual([]);
    await closeShared(page);
  });

  it("pauses documents only: a frame and a form post to a forbidden origin are refused, an image is the page's own", async () => {
    const page = await shared("/documents");
    // The image on the page came from the forbidden origin as the person's Chrome loaded it: never a document.
    expect(forbiddenHits).toEqual(["/pixel.png"]);
    forbiddenHits.length = 0;
    const snap = await gate.call({ tool: "chrome.snapshot", input: {} });
    if (snap.status !== "ok") throw new Error(`snapshot: ${snap.status}`);
    const ref = (name: string) => snap.result.content.match(new RegExp(`button "${name}" \\[ref=(e\\d+)\\]`))?.[1];
    const before = await refusals(`${forbidden.origin}/`);
    const frame = await gate.call({ tool: "chrome.click", input: { ref: ref("Frame"), element: "Frame" } });
    expect(frame.status).toBe("ok");
    await refusedAgain(`${forbidden.origin}/`, before);
    const post = await gate.call({ tool: "chrome.click", input: { ref: ref("Post"), element: "Post" } });
    expect(post.status).toBe("ok");
    await refusedAgain(`${forbidden.origin}/`, before + 1);
    expect(forbiddenHits).toEqual([]);
    await closeShared(page);
  });
});

/** Mean difference per channel (0–255) of two images inside `box`, drawn by the browser itself. */
async function difference(
  a: Uint8Array,
  b: Uint8Array,
  box: { x: number; y: number; width: number; height: number },
): Promise<number> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(
      async (one: string, two: string, r: typeof box) => {
        const pixels = async (src: string) => {
          const img = new Image();
          img.src = src;
          await img.decode();
          const canvas = document.createElement("canvas");
          canvas.width = img.width;
          canvas.height = img.height;
          const g = canvas.getContext("2d")!;
          g.drawImage(img, 0, 0);
          return g.getImageData(r.x, r.y, r.width, r.height).data;
        };
        const [p, q] = await Promise.all([pixels(one), pixels(two)]);
        let sum = 0;
        for (let i = 0; i < p.length; i++) sum += Math.abs(p[i]! - q[i]!);
        return sum / p.length;
      },
      `data:image/jpeg;base64,${Buffer.from(a).toString("base64")}`,
      `data:image/png;base64,${Buffer.from(b).toString("base64")}`,
      box,
    );
  } finally {
    await page.close();
  }
}

describe("the evidence screenshot after an action", () => {
  it.each([
    ["", "/card"],
    [", also where the page's CSP forbids inline styles", "/card-csp"],
  ])(
    "shows card digits masked, as a person's masked view of the page does, not as the page shows them%s",
    async (_, path) => {
      const page = await shared(path);
      const snap = await gate.call({ tool: "chrome.snapshot", input: {} });
      if (snap.status !== "ok") throw new Error(`snapshot: ${snap.status}`);
      const go = snap.result.content.match(/button "Go" \[ref=(e\d+)\]/)?.[1];
      const clicked = await gate.call({ tool: "chrome.click", input: { ref: go, element: "Go" } });
      if (clicked.status !== "ok") throw new Error(`click: ${clicked.status}`);
      await gate.settled();
      const evidence = await readFile(
        join(folders!.worksite.path, (clicked.result.data as { screenshot: string }).screenshot),
      );
      // The same tab as the person sees it, then with the mask put on by hand: the references.
      const box = await page.$eval("#card", (el) => {
        const r = el.getBoundingClientRect();
        return { x: Math.round(r.x), y: Math.round(r.y), width: Math.round(r.width), height: Math.round(r.height) };
      });
      const plain = await page.screenshot({ type: "png" });
      await maskByHand(page);
      const masked = await page.screenshot({ type: "png" });
      const toMasked = await difference(evidence, masked, box);
      const toPlain = await difference(evidence, plain, box);
      expect(toMasked * 3).toBeLessThan(toPlain);
      // And the mask is gone from the person's page afterwards (only the one the test put on is left).
      expect(await adoptedSheets(page)).toBe(1);
      await closeShared(page);
    },
  );

  it("shows what the action's handler changed a task later, not the page from before it", async () => {
    const page = await shared("/later");
    const box = await page.$eval("#box", (el) => {
      const r = el.getBoundingClientRect();
      return {
        x: Math.round(r.x) + 2,
        y: Math.round(r.y) + 2,
        width: Math.round(r.width) - 4,
        height: Math.round(r.height) - 4,
      };
    });
    const before = await page.screenshot({ type: "png" });
    const snap = await gate.call({ tool: "chrome.snapshot", input: {} });
    if (snap.status !== "ok") throw new Error(`snapshot: ${snap.status}`);
    const darken = snap.result.content.match(/button "Darken" \[ref=(e\d+)\]/)?.[1];
    const clicked = await gate.call({ tool: "chrome.click", input: { ref: darken, element: "Darken" } });
    if (clicked.status !== "ok") throw new Error(`click: ${clicked.status}`);
    await gate.settled();
    const evidence = await readFile(
      join(folders!.worksite.path, (clicked.result.data as { screenshot: string }).screenshot),
    );
    const after = await page.screenshot({ type: "png" });
    expect((await difference(evidence, after, box)) * 3).toBeLessThan(await difference(evidence, before, box));
    await closeShared(page);
  });

  it("leaves no mask on the person's page when the action fails", async () => {
    const page = await shared("/card");
    await gate.call({ tool: "chrome.snapshot", input: {} });
    const failed = await gate.call({ tool: "chrome.click", input: { ref: "e999", element: "Nothing" } });
    expect(failed.status).not.toBe("ok");
    // The mask's removal is sent without waiting for it.
    await waitUntil(async () => (await adoptedSheets(page)) === 0, "the mask to be gone");
    await closeShared(page);
  });
});
