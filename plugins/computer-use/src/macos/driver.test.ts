import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGate, openAuditLog, parsePermissions } from "@worksite/core";
import { afterEach, describe, expect, it } from "vitest";
import { DriverUnavailable } from "../driver.js";
import type { CommandRunner } from "../exec.js";
import { createComputerUsePlugin } from "../plugin.js";
import { createMacDriver, jxaArgs, OSASCRIPT, permissionMessage, SCREENCAPTURE, SIPS } from "./driver.js";
import { chordSteps } from "./keycodes.js";
import { parseKeys } from "../keys.js";
import { CURSOR_SCRIPT, INPUT_SCRIPT, PERMISSIONS_SCRIPT, SCREEN_SIZE_SCRIPT, WINDOWS_SCRIPT } from "./scripts.js";

/*
 * This machine kind has no Mac. These tests check the exact commands and JXA
 * scripts the macOS driver builds, with a runner that records them and answers
 * as macOS would; every test name says it was not run on a Mac.
 */

const PNG = Buffer.from("89504e470d0a1a0a0000000d49484452000005000000032008060000000000000000", "hex");

interface Recorded {
  program: string;
  args: string[];
}

function fakeMac(
  answers: { permissions?: { screenRecording: boolean; accessibility: boolean }; windows?: unknown } = {},
) {
  const calls: Recorded[] = [];
  const run: CommandRunner = async (program, args) => {
    calls.push({ program, args: [...args] });
    const script = program === OSASCRIPT ? args[3] : undefined;
    let out = "";
    if (script === PERMISSIONS_SCRIPT)
      out = JSON.stringify(answers.permissions ?? { screenRecording: true, accessibility: true });
    else if (script === SCREEN_SIZE_SCRIPT) out = JSON.stringify({ width: 1440, height: 900 });
    else if (script === WINDOWS_SCRIPT) out = JSON.stringify(answers.windows ?? { frontPid: 1, windows: [] });
    else if (script === CURSOR_SCRIPT) out = JSON.stringify({ x: 10, y: 20 });
    else if (script === INPUT_SCRIPT) out = "ok";
    if (program === SIPS) await writeFile(args[args.indexOf("--out") + 1]!, PNG);
    return { stdout: Buffer.from(out), stderr: "" };
  };
  const driver = createMacDriver({ run, host: "Terminal", hasProgram: () => true, env: {} });
  const inputs = () =>
    calls
      .filter((c) => c.program === OSASCRIPT && c.args[3] === INPUT_SCRIPT)
      .map((c) => JSON.parse(c.args[4]!) as { steps: Record<string, unknown>[] });
  return { driver, calls, inputs };
}

const roots: string[] = [];
afterEach(async () => {
  for (const r of roots.splice(0)) await rm(r, { recursive: true, force: true });
});

describe("the macOS driver (not run on a Mac: commands and scripts checked as built)", () => {
  it("refuses before any action when Screen Recording is not granted, saying where to grant it (not run on a Mac)", async () => {
    const { driver, inputs } = fakeMac({ permissions: { screenRecording: false, accessibility: true } });
    const error = await driver.preflight().catch((e) => e);
    expect(error).toBeInstanceOf(DriverUnavailable);
    expect(error.message).toBe(
      "computer use is not available: missing permission Screen Recording. Fix: Screen Recording is not granted to Terminal: open System Settings → Privacy & Security → Screen Recording, turn on Terminal, then quit and reopen it. Screenshots and window titles need it.",
    );
    expect(inputs()).toEqual([]);
  });

  it("refuses when Accessibility is not granted, saying clicks and typing need it (not run on a Mac)", async () => {
    const { driver } = fakeMac({ permissions: { screenRecording: true, accessibility: false } });
    await expect(driver.preflight()).rejects.toThrow(permissionMessage("accessibility", "Terminal"));
    expect(permissionMessage("accessibility", "Terminal")).toContain("Privacy & Security → Accessibility");
  });

  it("names the missing program when osascript is not there (not run on a Mac; here it really is missing)", async () => {
    const driver = createMacDriver({ run: async () => ({ stdout: Buffer.from(""), stderr: "" }) });
    await expect(driver.preflight()).rejects.toThrow(/missing tool \/usr\/bin\/osascript/);
  });

  it("checks the permissions with CGPreflightScreenCaptureAccess and AXIsProcessTrusted through JXA (not run on a Mac)", async () => {
    const { driver, calls } = fakeMac();
    await driver.preflight();
    expect(calls[0]).toEqual({ program: OSASCRIPT, args: ["-l", "JavaScript", "-e", PERMISSIONS_SCRIPT] });
    expect(PERMISSIONS_SCRIPT).toContain("$.CGPreflightScreenCaptureAccess()");
    expect(PERMISSIONS_SCRIPT).toContain("$.AXIsProcessTrusted()");
  });

  it("takes a screenshot with `screencapture -x` and scales it with sips to the size asked (not run on a Mac)", async () => {
    const { driver, calls } = fakeMac();
    const png = await driver.screenshot({ width: 1280, height: 800 });
    expect(Buffer.from(png)).toEqual(PNG);
    const [capture, sips] = calls;
    expect(capture!.program).toBe(SCREENCAPTURE);
    expect(capture!.args.slice(0, 3)).toEqual(["-x", "-t", "png"]);
    expect(capture!.args[3]).toMatch(/worksite-screen-.*\/screen\.png$/);
    expect(sips).toEqual({
      program: SIPS,
      args: ["-z", "800", "1280", capture!.args[3]!, "--out", capture!.args[3]!.replace("screen.png", "scaled.png")],
    });
    await driver.screenshot({ width: 400, height: 300 }, { x: 10, y: 20, width: 400, height: 300 });
    expect(calls[2]!.args).toContain("-R");
    expect(calls[2]!.args[calls[2]!.args.indexOf("-R") + 1]).toBe("10,20,400,300");
  });

  it("sends a click as CGEvent steps in argv JSON, never inside the script's source (not run on a Mac)", async () => {
    const { driver, calls, inputs } = fakeMac();
    await driver.click({ x: 300, y: 200 }, "left", 2, ["super"]);
    expect(calls[0]!.args.slice(0, 4)).toEqual(["-l", "JavaScript", "-e", INPUT_SCRIPT]);
    expect(inputs()[0]!.steps).toEqual([
      { move: [300, 200] },
      { button: "left", state: "down", at: [300, 200], clicks: 1, flags: 0x100000 },
      { button: "left", state: "up", at: [300, 200], clicks: 1, flags: 0x100000 },
      { button: "left", state: "down", at: [300, 200], clicks: 2, flags: 0x100000 },
      { button: "left", state: "up", at: [300, 200], clicks: 2, flags: 0x100000 },
    ]);
  });

  it("types text full of quotes and shell syntax as data: the script stays the same (not run on a Mac)", async () => {
    const { driver, calls, inputs } = fakeMac();
    const nasty = `"); $.system("rm -rf ~"); ("' \`id\` $(whoami)\n--help`;
    await driver.type(nasty);
    expect(calls[0]!.args[3]).toBe(INPUT_SCRIPT);
    expect(calls[0]!.args).toHaveLength(5);
    expect(inputs()[0]!.steps).toEqual([{ text: nasty }]);
    expect(jxaArgs(INPUT_SCRIPT, { steps: [{ text: nasty }] })).toEqual(calls[0]!.args);
  });

  it("maps xdotool chords to macOS key codes with the Command flag for super (not run on a Mac)", async () => {
    const { driver, inputs } = fakeMac();
    await driver.key(["super+c"], 1);
    expect(inputs()[0]!.steps).toEqual([
      { key: 55, down: true, flags: 0x100000 },
      { key: 8, down: true, flags: 0x100000 },
      { key: 8, down: false, flags: 0x100000 },
      { key: 55, down: false, flags: 0 },
      { sleep: 30 },
    ]);
    expect(() => chordSteps(parseKeys("ctrl+XF86AudioPlay")[0]!)).toThrow(/no macOS key code/);
  });

  it("finds the frontmost window under a point from CGWindowList and the focused one by the front app (not run on a Mac)", async () => {
    const windows = {
      frontPid: 42,
      windows: [
        { id: "7", app: "Calculator", title: "Calc", pid: 41, bounds: { x: 0, y: 0, width: 200, height: 200 } },
        { id: "9", app: "Notes", title: "n", pid: 42, bounds: { x: 0, y: 0, width: 800, height: 600 } },
      ],
    };
    const { driver } = fakeMac({ windows });
    expect((await driver.windowAt({ x: 50, y: 50 }))?.app).toBe("Calculator");
    expect((await driver.windowAt({ x: 500, y: 500 }))?.app).toBe("Notes");
    expect((await driver.focusedWindow())?.app).toBe("Notes");
  });

  it("every JXA script is valid JavaScript with a run(argv) entry point (not run on a Mac)", () => {
    for (const script of [PERMISSIONS_SCRIPT, SCREEN_SIZE_SCRIPT, WINDOWS_SCRIPT, CURSOR_SCRIPT, INPUT_SCRIPT]) {
      const run = new Function("ObjC", "$", "Application", `${script}\nreturn run;`);
      expect(typeof run).toBe("function");
      expect(script).toMatch(/function run\(argv\)/);
    }
    expect(WINDOWS_SCRIPT).toContain("CGWindowListCopyWindowInfo");
    expect(INPUT_SCRIPT).toContain("CGEventPost");
  });

  it("through the gate, a missing Accessibility grant is one clear error and nothing is sent (not run on a Mac)", async () => {
    const fake = fakeMac({ permissions: { screenRecording: true, accessibility: false } });
    const root = await mkdtemp(join(tmpdir(), "worksite-cu-mac-"));
    roots.push(root);
    const permissions = "# Permissions\n\n## Allow\n\n- `computer.*`\n";
    const gate = createGate({
      root,
      worksite: { permissions: parsePermissions(permissions, { file: "PERMISSIONS.md", root }) },
      plugins: [createComputerUsePlugin({ driver: fake.driver, stopFile: join(root, "STOP") })],
      audit: openAuditLog(join(root, ".worksite", "audit.jsonl")),
      actor: "agent",
      run: "run-mac",
      round: 1,
    });
    const outcome = await gate.call({ tool: "computer.click", input: { x: 10, y: 10 } });
    expect(outcome.status).toBe("error");
    expect((outcome as { message: string }).message).toContain("Accessibility is not granted to Terminal");
    expect(fake.inputs()).toEqual([]);
    expect(fake.calls.map((c) => c.args[3])).toEqual([PERMISSIONS_SCRIPT]);
  });
});
