import { execFile } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { openMemory, writeMemory } from "@worksite/memory";
import { pendingMessages } from "@worksite/runtime";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Panel, startPanel } from "./start.js";
import { launchChromium, screenshot, watchForExecution } from "./testing/browser.js";
import { tempDir } from "@worksite/test-support";

/*
 * The "must show", on the demo worksite a new user gets from `worksite demo` (the built CLI,
 * real git, npm and Chromium), with the panel in this process and the next round run by the CLI in
 * another process, as a person would: click in the panel, run `worksite run` in a terminal.
 */
const bin = resolve(import.meta.dirname, "../../cli/dist/bin.js");
const exec = promisify(execFile);

let home: string;
let demo: string;
let panel: Panel;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let browser: Browser;
let page: Page;
let seen: { dialogs: string[] };

const worksite = (...args: string[]) =>
  exec("node", [bin, ...args], { cwd: home, env: { ...process.env, NO_COLOR: "1", WORKSITE_USER: "reviewer" } });

beforeAll(async () => {
  home = await tempDir("worksite-panel-demo-");
  demo = join(home, "worksite-demo");
  await worksite("demo");
  panel = await startPanel({ worksites: [demo] });
  chromium = await launchChromium();
  browser = chromium.browser;
  page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 900 });
  seen = watchForExecution(page);
  await page.goto(panel.loginUrl, { waitUntil: "load" });
}, 180_000);
afterAll(async () => {
  await chromium?.close();
  await panel?.close();
  await rm(home, { recursive: true, force: true });
});

const text = (selector: string) => page.$eval(selector, (e) => e.textContent ?? "");

describe("the panel on the demo worksite (real Chromium)", () => {
  it("shows the goal, the round reports, the round-2 screenshot and the waiting approval with its rule", async () => {
    expect(new URL(page.url()).pathname).toBe("/t/0");
    expect(await text(".goal")).toContain("The cart total counts each item's quantity");
    expect(await text("#thread-state")).toBe("waiting");
    const approval = await text(".card.approval");
    expect(approval).toContain("shell.run");
    expect(approval).toContain("git tag -a v1.0.1");
    // Why it waits: the tier and the PERMISSIONS.md line that asked.
    expect(approval).toMatch(/confirm\s+by PERMISSIONS\.md:\d+ `shell\.run\(git tag\)`/);
    expect(await text(".card.draft")).toContain("nothing was sent");
    // What was drafted or refused lately, each with the rule that decided it.
    const refusals = await text("[data-live=refusals]");
    expect(refusals).toMatch(
      /file\.write\s*outbox\/team-update\.md\s*draft\s*drafted\s*PERMISSIONS\.md:\d+ `file\.write\(outbox\/\*\*\)`/,
    );
    // The round-2 screenshot beside round 1's, both really loaded.
    const shots = await page.$$eval("[data-live=latest] .compare img", (imgs) =>
      imgs.map((i) => ({ alt: i.getAttribute("alt"), width: (i as HTMLImageElement).naturalWidth })),
    );
    await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0));
    expect(shots.map((s) => s.alt)).toEqual([expect.stringContaining("round 1"), expect.stringContaining("round 2")]);
    await screenshot(page, "thread-waiting");

    await page.goto(`${panel.origin}/t/0/rounds`, { waitUntil: "load" });
    const headings = await page.$$eval("article.round h2", (hs) => hs.map((h) => h.textContent));
    expect(headings).toEqual([expect.stringMatching(/^Round 2 — waiting/), expect.stringMatching(/^Round 1 — /)]);
    expect(await text("[data-live=rounds]")).toContain("src/cart.js");
    await screenshot(page, "rounds");

    // Round 1's failing `npm test` (node --test: TAP on Node 20 and 22, the spec reporter on 24) reads as a test list, failures first.
    await page.goto(`${panel.origin}/t/0/artifact?path=${encodeURIComponent("artifacts/round-1/shell-npm.log")}`, {
      waitUntil: "load",
    });
    expect(await text(".summary")).toMatch(/^1 failed/);
    expect(await text("ul.tests li:first-child")).toMatch(/^FAIL the total counts each item's quantity/);
    await screenshot(page, "test-results");

    await page.goto(`${panel.origin}/t/0/audit`, { waitUntil: "load" });
    expect(await text(".verify")).toMatch(/chain intact: \d+ entries/);
    await screenshot(page, "audit");
    expect(seen.dialogs).toEqual([]);
  });

  it("a line queued from the panel, Approve clicked, then the next round in another process: round 3 and done appear without a reload, with the line as its instruction", async () => {
    await page.goto(`${panel.origin}/t/0`, { waitUntil: "load" });
    await page.type("#inbox-text", "also say thanks to the reviewer");
    await Promise.all([page.waitForNavigation(), page.click("button[name=kind][value=queue]")]);
    expect(await text(".notice")).toMatch(/^Queued/);
    expect(await text("[data-live=inbox]")).toContain("also say thanks to the reviewer");

    // Keyboard only: Tab to the Approve button and press Enter.
    await page.focus(".card.approval button.approve");
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    expect(await text(".notice")).toMatch(/^Approved ap_/);
    expect(await page.$(".card.approval")).toBeNull();

    // Polled on a timer, not on animation frames: after the keyboard-driven navigation headless Chromium
    // stopped producing frames for this page on Node 24's runs, and a frame-polled wait never looked again.
    const live = { polling: 100 };
    // Connected: "live", or "updated …" once a change came in over the stream. The approval's own aftermath
    // (its audit entries, the used approval) is such a change, and can replace "live" before any wait sees it.
    await page.waitForFunction(
      () => /^(live$|updated )/.test(document.getElementById("live-state")?.textContent ?? ""),
      live,
    );
    await page.evaluate(() => {
      (window as { __samePage?: boolean }).__samePage = true;
    });
    const next = worksite("run", "--worksite", demo);
    await page.waitForFunction(() => document.getElementById("thread-state")?.textContent === "done", {
      ...live,
      timeout: 120_000,
    });
    await page.waitForFunction(
      () => /Round 3/.test(document.querySelector("[data-live=latest] h3")?.textContent ?? ""),
      { ...live, timeout: 30_000 },
    );
    const { stdout } = await next;
    expect(stdout).toContain("done: verification passed");
    // `worksite run` points at the panel that is running for this worksite.
    expect(stdout).toContain(`panel: ${panel.origin}/`);
    expect(await page.evaluate(() => (window as { __samePage?: boolean }).__samePage)).toBe(true);
    expect(await text("[data-live=latest]")).toContain("Instruction: also say thanks to the reviewer");
    await screenshot(page, "thread-done-live");
  });

  it("a memory proposal accepted from the panel is on the main line", async () => {
    const store = await openMemory({ dir: join(demo, "memory") });
    await writeMemory(
      store,
      {
        topic: "shop",
        name: "cart-counts-quantity",
        description: "the cart total multiplies price by quantity",
        type: "fact",
        body: "Totals count quantities.\n",
      },
      { run: "run-memory-test", actor: "agent" },
    );
    await page.goto(`${panel.origin}/t/0/memory`, { waitUntil: "load" });
    expect(await text("#proposal-run-memory-test")).toContain("shop/cart-counts-quantity.md");
    await screenshot(page, "memory-proposal");
    await Promise.all([page.waitForNavigation(), page.click("#proposal-run-memory-test button.approve")]);
    expect(await text(".notice")).toMatch(/^Accepted the memory proposal of run run-memory-test/);
    const main = await exec("git", ["show", "HEAD:memory/shop/cart-counts-quantity.md"], { cwd: demo });
    expect(main.stdout).toContain("Totals count quantities.");
  });

  it("a draft sent from the panel runs once, through the gate, as the person's call", async () => {
    await page.goto(`${panel.origin}/t/0`, { waitUntil: "load" });
    expect(await text(".card.draft")).toContain("would create outbox/team-update.md");
    await Promise.all([page.waitForNavigation(), page.click(".card.draft button.approve")]);
    expect(await text(".notice")).toMatch(/^Ran draft dr_/);
    expect(await page.$(".card.draft")).toBeNull();
    expect(await readFile(join(demo, "outbox", "team-update.md"), "utf8")).toContain(
      "Cart totals now count quantities",
    );
  });

  it("round 2's changes show as a diff, and a comment on a line of it is queued as the next round's instruction", async () => {
    await page.goto(`${panel.origin}/t/0/changes?round=2`, { waitUntil: "load" });
    expect(await text("h1")).toBe("Changes of round 2");
    expect(await text("[data-live=changes]")).toContain("item.quantity");
    // Clicking the changed line's number fills the form's line field.
    await page.$$eval(".d2h-code-linenumber.d2h-ins", (cells) => (cells[0] as HTMLElement | undefined)?.click());
    expect(await page.$eval("form.comment input.line", (i) => (i as HTMLInputElement).value)).toMatch(/^\d+$/);
    await page.type("form.comment input[name=text]", "name the multiplier");
    await screenshot(page, "changes-round-2");
    await Promise.all([page.waitForNavigation(), page.click("form.comment button")]);
    expect(await text(".notice")).toMatch(/^Queued/);
    const queued = (await pendingMessages(demo, "queue")).map((m) => m.text);
    expect(queued).toEqual([
      expect.stringMatching(/^Review comment on src\/cart\.js line \d+ \(changes of round 2\): name the multiplier$/),
    ]);
  });

  it("rollback to round 1 from its page asks first, naming the files, then puts the buggy cart back", async () => {
    await page.goto(`${panel.origin}/t/0/rounds`, { waitUntil: "load" });
    const button = await page.$("#round-1 form button");
    expect(await button?.evaluate((b) => b.textContent)).toBe("Roll back to round 1…");
    await Promise.all([page.waitForNavigation(), button!.click()]);
    expect(await text("h1")).toBe("Roll back to round 1?");
    expect(await text("ul.files")).toContain("src/cart.js");
    // Asking changed nothing yet.
    expect(await readFile(join(demo, "src", "cart.js"), "utf8")).toContain("item.quantity");
    await screenshot(page, "rollback-confirm");
    await Promise.all([page.waitForNavigation(), page.click("form button.danger")]);
    expect(await text(".notice")).toMatch(/^Restored \d+ files? to round 1/);
    expect(await readFile(join(demo, "src", "cart.js"), "utf8")).not.toContain("item.quantity");
    const log = await readFile(join(demo, ".worksite", "audit.jsonl"), "utf8");
    expect(log).toMatch(/"actor":"person:panel"[^\n]*"message":"rolled back to round 1/);
  });

  it("reads on a phone-sized screen: nothing wider than the screen", async () => {
    await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
    for (const [path, name] of [
      ["/t/0", "phone-thread"],
      ["/t/0/rounds", "phone-rounds"],
    ] as const) {
      await page.goto(`${panel.origin}${path}`, { waitUntil: "load" });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(page, name);
    }
  });
});
