import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Gate } from "@worksite/core";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chromeGate,
  connectState,
  html,
  openConnectPage,
  personsChrome,
  serve,
  shareTab,
  type tempDir,
  chromeTestFolders,
  type ChromeTestFolders,
} from "./helpers.js";

let site: Awaited<ReturnType<typeof serve>>;
let profile: Awaited<ReturnType<typeof tempDir>>;
let worksite: Awaited<ReturnType<typeof tempDir>>;
let _state: Awaited<ReturnType<typeof tempDir>>;
let browser: Browser;
let hands: Page;
let folders: ChromeTestFolders | undefined;

beforeAll(async () => {
  site = await serve({
    "/inbox": (req, res) => {
      const loggedIn = /session=ada-secret-session/.test(req.headers.cookie ?? "");
      html(loggedIn ? "<h1>Inbox of Ada</h1><p>3 unread messages</p>" : "<h1>Please log in</h1>", "Mail")(req, res);
    },
  });
  folders = await chromeTestFolders("worksite-chrome-profile-");
  ({ profile, worksite, _state } = folders);
  const chrome = await personsChrome(profile.path);
  browser = chrome.browser;
  hands = await chrome.extensionPage();
  // The person logged in long before the agent came: the session cookie is in their profile.
  await browser.setCookie({
    name: "session",
    value: "ada-secret-session",
    domain: "127.0.0.1",
    path: "/",
    httpOnly: true,
  });
  const page = await browser.newPage();
  await page.goto(`${site.origin}/inbox`);
  await shareTab(hands, `${site.origin}/inbox`);
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await folders?.remove();
});

const permissions = (origin: string) =>
  ["# Permissions", "", "## Allow", `- \`chrome.read(${origin}/**)\``, ""].join("\n");

describe("the Chrome bridge through the extension", () => {
  let gate: Gate;

  it("pairs once when the person clicks Allow, then reads the logged-in page the in-app browser could not", async () => {
    let connectPage: Awaited<ReturnType<typeof openConnectPage>> | undefined;
    ({ gate } = await chromeGate(worksite.path, permissions(site.origin), {
      name: "mail triage",
      async openConnectPage(url) {
        connectPage = await openConnectPage(browser, url);
        expect(await connectState(connectPage)).toMatchObject({ state: "asking" });
        expect(await connectPage.$eval("#name", (e) => e.textContent)).toBe("mail triage");
        await connectPage.click("#allow");
      },
    }));
    const read = await gate.call({ tool: "chrome.read", input: {} });
    expect(read.status).toBe("ok");
    expect(read.status === "ok" && read.result.content).toContain("Inbox of Ada");
    expect(await connectState(connectPage!)).toMatchObject({ state: "connected" });
    // The session cookie itself never reached the agent or the audit log.
    const audit = await readFile(join(worksite.path, ".worksite", "audit.jsonl"), "utf8");
    expect(audit).not.toContain("ada-secret-session");
    await gate.dispose();
  });

  it("connects on the second run with no prompt", async () => {
    let asked = false;
    ({ gate } = await chromeGate(worksite.path, permissions(site.origin), {
      async openConnectPage(url) {
        const page = await openConnectPage(browser, url);
        const s = await connectState(page);
        asked = s.state === "asking";
      },
    }));
    const read = await gate.call({ tool: "chrome.read", input: {} });
    expect(read.status).toBe("ok");
    expect(asked).toBe(false);
    await gate.dispose();
  });
});
