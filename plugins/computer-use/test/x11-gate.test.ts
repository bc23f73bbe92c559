import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  approve,
  createGate,
  type Gate,
  type GateOutcome,
  listApprovals,
  openAuditLog,
  parsePermissions,
} from "@worksite/core";
import { filesUnder } from "@worksite/test-support";
import { PNG } from "pngjs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createComputerUsePlugin, runComputerCall } from "../src/index.js";
import { pngSize } from "../src/scale.js";
import { resumeInput, stopInput } from "../src/stop-switch.js";
import { type Chromium, startChromium, startLoggingPage, startXvfb, waitUntil, xdo, type Xvfb } from "./desktop.js";

/*
 * The real thing under Xvfb: a headed Chromium app window showing a page that
 * logs every click, key, text change, drag and wheel to the test's server; a
 * second Chromium whose WM_CLASS says KeePassXC plays the password manager.
 * The screen is 1600x1000, so the model sees 1280x800 and every coordinate is scaled.
 */

let x: Xvfb;
let page: Awaited<ReturnType<typeof startLoggingPage>>;
let main: Chromium;
let vault: Chromium;
let stopFile: string;
const SCREEN = { width: 1600, height: 1000 };
const SCALED = { width: 1280, height: 800 };
const scaled = (p: { x: number; y: number }) => ({
  x: Math.round((p.x * SCALED.width) / SCREEN.width),
  y: Math.round((p.y * SCALED.height) / SCREEN.height),
});
const at = (id: string, who = "main") => scaled(page.layout(who)![id]!);

beforeAll(async () => {
  x = await startXvfb(`${SCREEN.width}x${SCREEN.height}`);
  page = await startLoggingPage();
  main = await startChromium(x.display, page.url, { position: [0, 0], size: [900, 520] });
  await waitUntil(() => page.layout("main"), "the main page to report its layout");
  vault = await startChromium(x.display, `${page.url}?who=vault`, {
    wmClass: "KeePassXC",
    position: [950, 0],
    size: [600, 420],
  });
  await waitUntil(() => page.layout("vault"), "the KeePassXC stand-in to report its layout");
  stopFile = join(await mkdtemp(join(tmpdir(), "worksite-cu-stop-")), "STOP");
}, 90_000);

afterAll(async () => {
  await vault?.stop();
  await main?.stop();
  await page?.close();
  await x?.stop();
});

const worksites: string[] = [];
afterEach(async () => {
  await resumeInput(stopFile);
  for (const w of worksites.splice(0)) await rm(w, { recursive: true, force: true });
});

async function desktopGate(permissions: string, options: { typeChunk?: number } = {}) {
  const root = await mkdtemp(join(tmpdir(), "worksite-cu-"));
  worksites.push(root);
  await writeFile(join(root, "PERMISSIONS.md"), permissions);
  const audit = openAuditLog(join(root, ".worksite", "audit.jsonl"));
  const gate = createGate({
    root,
    worksite: { permissions: parsePermissions(permissions, { file: "PERMISSIONS.md", root }) },
    plugins: [createComputerUsePlugin({ display: x.display, settleMs: 100, stopFile, ...options })],
    audit,
    actor: "agent",
    run: "run-desktop",
    round: 1,
  });
  return { root, gate, audit };
}

const CHROMIUM_ALLOWED = ["# Permissions", "", "## Allow", "- `computer.*(app:Chromium)`", ""].join("\n");

async function ok(gate: Gate, tool: string, input: unknown) {
  const outcome = await gate.call({ tool, input });
  if (outcome.status !== "ok")
    throw new Error(`${tool}: ${outcome.status} ${"message" in outcome ? outcome.message : ""}`);
  return outcome;
}

const eventsOf = (who: string, type?: string) => page.events.filter((e) => e.who === who && (!type || e.type === type));
const fieldValue = () => eventsOf("main", "input").at(-1)?.value;

/** Types `text` into the main page's field from empty, through the gate. */
async function fillField(gate: Gate, text: string) {
  await ok(gate, "computer.click", { ...at("field"), clicks: 3 });
  await ok(gate, "computer.key", { keys: "ctrl+a BackSpace" });
  await waitUntil(() => fieldValue() === "" || fieldValue() === undefined, "the field to be empty");
  await ok(gate, "computer.type", { text });
  await waitUntil(() => fieldValue() === text, `the field to hold ${JSON.stringify(text)}`);
}

describe("computer use on a real X display", () => {
  it("computer.screenshot returns the screen scaled to what the model sees, saved as an artifact, under the read-only default", async () => {
    const { gate, root } = await desktopGate("# Permissions\n");
    const shot = await ok(gate, "computer.screenshot", {});
    expect(shot.decision.tier).toBe("read-only");
    const data = shot.result.data as { image: string; width: number; height: number; path: string };
    expect({ width: data.width, height: data.height }).toEqual(SCALED);
    expect(pngSize(Buffer.from(data.image, "base64"))).toEqual(SCALED);
    expect(pngSize(await readFile(join(root, data.path)))).toEqual(SCALED);
    expect(gate.tools().find((t) => t.id === "computer.click")!.description).toContain("1280x800");
  });

  it("computer.zoom shows a rectangle at full resolution, and computer.apps lists the windows as untrusted text", async () => {
    const { gate, root } = await desktopGate("# Permissions\n");
    const zoom = await ok(gate, "computer.zoom", { x0: 0, y0: 0, x1: 400, y1: 200 });
    expect(pngSize(await readFile(join(root, (zoom.result.data as { path: string }).path)))).toEqual({
      width: 500,
      height: 250,
    });
    const apps = await ok(gate, "computer.apps", {});
    const windows = (apps.result.data as { windows: { app: string; title: string }[] }).windows;
    expect(windows.map((w) => w.app).sort()).toEqual(["Chromium", "KeePassXC"]);
    expect(apps.result.content).toMatch(/<untrusted-content source="the desktop's window list">[\s\S]*Logging page/);
    const cursor = await ok(gate, "computer.cursor", {});
    expect(cursor.decision.tier).toBe("read-only");
    const waited = await ok(gate, "computer.wait", { ms: 50 });
    expect(waited.result.artifacts![0]).toMatchObject({ kind: "screenshot" });
  });

  it("blacks out the deny-listed KeePassXC window in every picture and withholds its title, unless a rule names it", async () => {
    // The screenshot's target is the whole screen: without this, a password manager open beside the app shows in it.
    const pixel = (png: Buffer, p: { x: number; y: number }) => {
      const image = PNG.sync.read(png);
      const i = (p.y * image.width + p.x) * 4;
      return [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
    };
    const red = (rgb: number[]) => rgb[0]! > 150 && rgb[1]! < 100 && rgb[2]! < 100;
    const { gate, root } = await desktopGate(CHROMIUM_ALLOWED);
    const shot = await ok(gate, "computer.screenshot", {});
    const data = shot.result.data as { image: string; path: string; hidden: string[] };
    const image = Buffer.from(data.image, "base64");
    expect(pixel(image, at("from", "vault"))).toEqual([0, 0, 0]);
    expect(red(pixel(image, at("from")))).toBe(true);
    expect(pixel(await readFile(join(root, data.path)), at("from", "vault"))).toEqual([0, 0, 0]);
    expect(data.hidden).toEqual(["KeePassXC"]);
    expect(shot.result.content).toContain("Blacked out in the picture: KeePassXC is a password manager");
    const zoom = await ok(gate, "computer.zoom", { x0: 700, y0: 0, x1: 1270, y1: 400 });
    const zoomed = Buffer.from((zoom.result.data as { image: string }).image, "base64");
    const v = at("from", "vault");
    // The zoom is at the screen's resolution (1.25 of the model's pixels), from the screen's x = 875.
    const inZoom = { x: Math.round(v.x * 1.25) - 875, y: Math.round(v.y * 1.25) };
    expect(pixel(zoomed, inZoom)).toEqual([0, 0, 0]);
    // The evidence after an action is a picture too.
    const click = await ok(gate, "computer.click", at("press"));
    const evidence = await readFile(join(root, click.result.artifacts![0]!.path));
    expect(pixel(evidence, at("from", "vault"))).toEqual([0, 0, 0]);
    const apps = (await ok(gate, "computer.apps", {})).result.data as { windows: { app: string; title: string }[] };
    expect(apps.windows.find((w) => w.app === "KeePassXC")!.title).toMatch(
      /^\[title withheld: KeePassXC is a password manager/,
    );
    expect(apps.windows.find((w) => w.app === "Chromium")!.title).toContain("Logging page");

    // A rule naming the app lets the screenshot see it, as it lets an action there.
    const named = await desktopGate(`${CHROMIUM_ALLOWED}- \`computer.screenshot(app:KeePassXC)\`\n`);
    const seen = await ok(named.gate, "computer.screenshot", {});
    expect(red(pixel(Buffer.from((seen.result.data as { image: string }).image, "base64"), at("from", "vault")))).toBe(
      true,
    );
    expect((seen.result.data as { hidden: string[] }).hidden).toEqual([]);
  });

  it("blacks out an app PERMISSIONS.md forbids, in the screenshot the read-only default otherwise allows", async () => {
    const { gate } = await desktopGate("# Permissions\n\n## Forbidden\n- `computer.*(app:Chromium)`\n");
    const shot = await ok(gate, "computer.screenshot", {});
    expect(shot.decision.tier).toBe("read-only");
    const image = PNG.sync.read(Buffer.from((shot.result.data as { image: string }).image, "base64"));
    const p = at("from");
    const i = (p.y * image.width + p.x) * 4;
    expect([image.data[i], image.data[i + 1], image.data[i + 2]]).toEqual([0, 0, 0]);
    expect(shot.result.content).toContain("PERMISSIONS.md forbids computer.screenshot on Chromium");
  });

  it("a click at the button's scaled coordinates lands on the button, and leaves a screenshot linked from the audit entry", async () => {
    const { gate, root, audit } = await desktopGate(CHROMIUM_ALLOWED);
    const before = eventsOf("main", "click").length;
    const clicked = await ok(gate, "computer.click", at("press"));
    expect(clicked.decision.tier).toBe("allow");
    const click = await waitUntil(() => eventsOf("main", "click")[before], "the page to log the click");
    expect(click).toMatchObject({ target: "press", button: 0 });
    const [shot] = clicked.result.artifacts!;
    expect(shot).toMatchObject({ kind: "screenshot" });
    expect(pngSize(await readFile(join(root, shot!.path)))).toEqual(SCALED);
    const entries = (await readFile(audit.path, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const result = entries.find((e) => e.type === "result" && e.tool === "computer.click");
    expect(result).toMatchObject({ outcome: "ok", target: "app:Chromium", artifacts: [shot!.path] });
  });

  it("a right click and a double click arrive as such", async () => {
    const { gate } = await desktopGate(CHROMIUM_ALLOWED);
    await ok(gate, "computer.click", { ...at("press"), button: "right" });
    await waitUntil(() => eventsOf("main", "contextmenu").some((e) => e.target === "press"), "a context menu event");
    const before = eventsOf("main", "click").length;
    await ok(gate, "computer.click", { ...at("press"), clicks: 2 });
    await waitUntil(
      () =>
        eventsOf("main", "click")
          .slice(before)
          .some((e) => e.detail === 2),
      "a double click",
    );
  });

  it("computer.type text arrives in the input, shell and xdotool syntax included, and a key chord works", async () => {
    const { gate, root } = await desktopGate(CHROMIUM_ALLOWED);
    const nasty = `--delay 0 -- $(touch ${root}/pwned) \`id\`; key --help "quoted" 'single' | & > <`;
    await fillField(gate, nasty);
    expect(existsSync(join(root, "pwned"))).toBe(false);
    const typed = await ok(gate, "computer.key", { keys: "ctrl+a" });
    expect(typed.result.artifacts).toHaveLength(1);
    await waitUntil(() => eventsOf("main", "keydown").some((e) => e.key === "a" && e.ctrl === true), "ctrl+a");
    await ok(gate, "computer.type", { text: "X" });
    await waitUntil(() => fieldValue() === "X", "ctrl+a to have selected everything, replaced by X");
    const held = await ok(gate, "computer.key", { keys: "shift", holdMs: 200 });
    expect(held.result.content).toContain("for 200 ms");
    await waitUntil(() => eventsOf("main", "keydown").some((e) => e.key === "Shift"), "shift held down (hold_key)");
  });

  it("a drag from one box to another and a scroll arrive", async () => {
    const { gate } = await desktopGate(CHROMIUM_ALLOWED);
    const dragged = await ok(gate, "computer.drag", { path: [at("from"), at("to")] });
    expect(dragged.result.artifacts).toHaveLength(1);
    await waitUntil(() => eventsOf("main", "drag").some((e) => e.from === "from" && e.to === "to"), "the drag");
    const scrolled = await ok(gate, "computer.scroll", { ...at("press"), direction: "down", amount: 2 });
    expect(scrolled.result.artifacts).toHaveLength(1);
    await waitUntil(() => eventsOf("main", "wheel").some((e) => e.deltaY === 1), "a wheel down");
    await ok(gate, "computer.scroll", { ...at("press"), direction: "up", amount: 2 });
    await waitUntil(() => eventsOf("main", "wheel").some((e) => e.deltaY === -1), "a wheel up");
  });

  it("a button pressed and released at two places (left_mouse_down, then up) is a drag", async () => {
    const { gate } = await desktopGate(CHROMIUM_ALLOWED);
    const down = await ok(gate, "computer.click", { ...at("from"), press: "down" });
    expect(down.result.artifacts).toHaveLength(1);
    await ok(gate, "computer.move", at("to"));
    await ok(gate, "computer.click", { ...at("to"), press: "up" });
    await waitUntil(
      () => eventsOf("main", "drag").filter((e) => e.from === "from" && e.to === "to").length >= 1,
      "the drag by down and up",
    );
  });

  it("refuses a click on a password manager before any event is sent, even where `computer.*` is allowed", async () => {
    const { gate } = await desktopGate(["# Permissions", "", "## Allow", "- `computer.*`", ""].join("\n"));
    const refused = await gate.call({ tool: "computer.click", input: at("press", "vault") });
    expect(refused.status).toBe("refused");
    expect(refused.decision?.tier).toBe("forbidden");
    expect((refused as { message: string }).message).toMatch(
      /KeePassXC is a password manager.*computer\.click\(app:KeePassXC\)/,
    );
    // Something the main page does log, sent after the refusal: once it arrives, a click on the vault would have too.
    const before = eventsOf("main", "click").length;
    await ok(gate, "computer.click", at("press"));
    await waitUntil(() => eventsOf("main", "click").length > before, "the control click");
    expect(eventsOf("vault")).toEqual([]);
    // Keyboard focus on the vault: typing goes to the app with focus, so it is the vault that is refused.
    const vaultWindow = xdo(x.display, "search", "--onlyvisible", "--class", "KeePassXC").trim().split("\n")[0]!;
    xdo(x.display, "windowfocus", "--sync", vaultWindow);
    const typed = await gate.call({ tool: "computer.type", input: { text: "into the vault" } });
    expect(typed.status).toBe("refused");
    expect(typed.decision?.reason).toMatch(/KeePassXC is a password manager/);
    const mainWindow = xdo(x.display, "search", "--onlyvisible", "--class", "Chromium").trim().split("\n")[0]!;
    xdo(x.display, "windowfocus", "--sync", mainWindow);
    expect(eventsOf("vault")).toEqual([]);
  });

  it("a PERMISSIONS.md rule naming the denied app lets the click through", async () => {
    const { gate } = await desktopGate(
      ["# Permissions", "", "## Allow", "- `computer.click(app:KeePassXC)`", ""].join("\n"),
    );
    await ok(gate, "computer.click", at("press", "vault"));
    await waitUntil(() => eventsOf("vault", "click").some((e) => e.target === "press"), "the vault's click");
    page.events.splice(0, page.events.length, ...page.events.filter((e) => e.who !== "vault"));
  });

  it("refuses a click when the window under the pointer changed between the decision and the action", async () => {
    const { gate, root } = await desktopGate("# Permissions\n");
    const point = at("press");
    const clicksBefore = page.events.length;
    const call = gate.call({ tool: "computer.click", input: point, waitForApprovalMs: 60_000 });
    const [pending] = await waitUntil(async () => {
      const list = await listApprovals(root, { status: "pending" });
      return list.length ? list : undefined;
    }, "the click to wait for a person");
    expect(pending!.target).toBe("app:Chromium");
    // While it waits, another window (the vault) comes up over the button.
    const vaultWindow = xdo(x.display, "search", "--onlyvisible", "--class", "KeePassXC").trim().split("\n")[0]!;
    xdo(x.display, "windowmove", "--sync", vaultWindow, "0", "0", "windowraise", vaultWindow);
    try {
      await approve(root, pending!.id, { by: "person:test" });
      const outcome: GateOutcome = await call;
      expect(outcome.status).toBe("refused");
      expect((outcome as { message: string }).message).toMatch(
        /window under the action changed.*was Chromium.*now KeePassXC/,
      );
    } finally {
      xdo(x.display, "windowmove", "--sync", vaultWindow, "950", "0");
    }
    // A control click after the refusal: the page logs it, and nothing before it.
    const { gate: allowed } = await desktopGate(CHROMIUM_ALLOWED);
    await waitUntil(
      async () => (await allowed.call({ tool: "computer.click", input: point })).status === "ok",
      "a control click",
    );
    await waitUntil(() => page.events.length > clicksBefore, "the control click to be logged");
    expect(page.events.slice(clicksBefore).map((e) => `${e.who}:${e.type}`)).toEqual(["main:click"]);
  });

  it("text the secret scanner flags waits for a person and is never written to the audit log, approvals or artifacts", async () => {
    const { gate, root, audit } = await desktopGate(CHROMIUM_ALLOWED);
    const token = `ghp_${"a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"}`;
    await ok(gate, "computer.click", { ...at("field"), clicks: 3 });
    await ok(gate, "computer.key", { keys: "ctrl+a BackSpace" });
    const asked = await gate.call({ tool: "computer.type", input: { text: token } });
    expect(asked.status).toBe("pending-approval");
    const id = (asked as { approvalId: string }).approvalId;
    await approve(root, id, { by: "person:test" });
    const typed = await ok(gate, "computer.type", { text: token });
    await waitUntil(() => fieldValue() === token, "the token to arrive");
    expect(typed.result.artifacts![0]!.path).toMatch(/withheld\.md$/);
    const everything = [
      await readFile(audit.path, "utf8"),
      ...(await listApprovals(root)).map((a) => JSON.stringify(a)),
      ...(await filesUnder([join(root, "artifacts")])).map((f) => readFileSync(f, "latin1")),
    ];
    for (const text of everything) expect(text).not.toContain(token);
  });

  it("the kill switch refuses input before anything is sent, and stops typing already under way", async () => {
    const { gate } = await desktopGate(CHROMIUM_ALLOWED, { typeChunk: 4 });
    await stopInput(stopFile, "person:test");
    const before = page.events.length;
    const refused = await gate.call({ tool: "computer.click", input: at("press") });
    expect(refused.status).toBe("refused");
    expect((refused as { message: string }).message).toContain("stopped by the person");
    // Screenshots still run: the person can see what the desktop looks like.
    await ok(gate, "computer.screenshot", {});
    await resumeInput(stopFile);
    await ok(gate, "computer.click", { ...at("field"), clicks: 3 });
    await ok(gate, "computer.key", { keys: "ctrl+a BackSpace" });
    expect(page.events.slice(before).some((e) => e.type === "click" && e.who === "main")).toBe(true);
    const long = "stop me ".repeat(40);
    const typing = gate.call({ tool: "computer.type", input: { text: long } });
    await waitUntil(() => (fieldValue()?.length ?? 0) >= 8, "typing to start");
    await stopInput(stopFile, "person:test");
    const outcome = await typing;
    expect(outcome.status).toBe("refused");
    const settled = fieldValue()!.length;
    expect(settled).toBeLessThan(long.length);
  });

  it("an OpenAI batched computer_call runs as separately gated actions, and the refused one stops the batch", async () => {
    const { gate, audit } = await desktopGate(CHROMIUM_ALLOWED);
    const before = page.events.length;
    const press = at("press");
    const result = await runComputerCall(gate, {
      type: "computer_call",
      call_id: "call_1",
      actions: [
        { type: "click", ...press, button: "left" },
        { type: "keypress", keys: ["CTRL", "A"] },
        { type: "click", ...at("press", "vault"), button: "left" },
        { type: "type", text: "never typed" },
      ],
    });
    expect(result.outcomes.map((o) => o.status)).toEqual(["ok", "ok", "refused"]);
    expect(result).toMatchObject({ stoppedAt: 2, skipped: 1 });
    expect(result.message).toMatch(/action 3 of 4 \(click\) did not run.*the 1 after it were not sent/);
    await waitUntil(
      () => page.events.slice(before).some((e) => e.type === "click" && e.who === "main"),
      "the first click",
    );
    expect(page.events.slice(before).filter((e) => e.who === "vault" || e.value === "never typed")).toEqual([]);
    const decisions = (await readFile(audit.path, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === "decision" && e.tool?.startsWith("computer."));
    expect(decisions.map((d) => `${d.tool} ${d.tier}`)).toEqual([
      "computer.click allow",
      "computer.key allow",
      "computer.click forbidden",
    ]);
  });
});
