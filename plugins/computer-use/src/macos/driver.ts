import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Button, type Driver, DriverUnavailable, type WindowInfo } from "../driver.js";
import { type CommandRunner, findProgram, runCommand } from "../exec.js";
import { type Modifier, parseKeys } from "../keys.js";
import type { Point } from "../scale.js";
import { chordSteps, flagsOf } from "./keycodes.js";
import { CURSOR_SCRIPT, INPUT_SCRIPT, PERMISSIONS_SCRIPT, SCREEN_SIZE_SCRIPT, WINDOWS_SCRIPT } from "./scripts.js";

export interface MacOptions {
  run?: CommandRunner;
  env?: NodeJS.ProcessEnv;
  /** The app that runs worksite, named in permission messages (Terminal, iTerm, Visual Studio Code). */
  host?: string;
  /** Whether a program exists; tests on a machine that is not a Mac say yes. */
  hasProgram?: (path: string) => boolean;
}

export const OSASCRIPT = "/usr/bin/osascript";
export const SCREENCAPTURE = "/usr/sbin/screencapture";
export const SIPS = "/usr/bin/sips";

/** The exact words a person reads when a macOS permission is missing, with where to grant it. */
export function permissionMessage(which: "screenRecording" | "accessibility", host: string): string {
  return which === "screenRecording"
    ? `Screen Recording is not granted to ${host}: open System Settings → Privacy & Security → Screen Recording, turn on ${host}, then quit and reopen it. Screenshots and window titles need it.`
    : `Accessibility is not granted to ${host}: open System Settings → Privacy & Security → Accessibility, turn on ${host}, then quit and reopen it. Clicks and typing need it.`;
}

/** osascript's argv for one of our JXA scripts; the data travels as argv, never inside the script. */
export function jxaArgs(script: string, data?: unknown): string[] {
  return ["-l", "JavaScript", "-e", script, ...(data === undefined ? [] : [JSON.stringify(data)])];
}

type InputStep = Record<string, unknown>;

/**
 * macOS: `screencapture -x` and `sips` for pictures, CGEvent through JXA
 * (`osascript -l JavaScript`, ObjC bridge) for input, CGWindowList for the
 * window under the pointer. Permissions are checked before the first action,
 * so a missing grant is one clear message instead of silently dropped events.
 */
export function createMacDriver(options: MacOptions = {}): Driver {
  const run = options.run ?? runCommand;
  const env = options.env ?? process.env;
  const host =
    options.host ?? (env.TERM_PROGRAM ? env.TERM_PROGRAM.replace(/\.app$/, "") : "the app that runs worksite");

  const jxa = async (script: string, data?: unknown) =>
    (await run(OSASCRIPT, jxaArgs(script, data), { env })).stdout.toString("utf8").trim();
  const input = (steps: InputStep[]) => jxa(INPUT_SCRIPT, { steps }).then(() => undefined);

  async function windows(): Promise<{ frontPid: number; windows: WindowInfo[] }> {
    return JSON.parse(await jxa(WINDOWS_SCRIPT));
  }

  const buttonSteps = (at: Point, button: Button, state: "down" | "up", clicks: number, flags: number) => ({
    button,
    state,
    at: [at.x, at.y],
    clicks,
    ...(flags ? { flags } : {}),
  });

  return {
    platform: "macos",
    async preflight() {
      for (const program of [OSASCRIPT, SCREENCAPTURE, SIPS])
        if (!(options.hasProgram ?? ((p: string) => findProgram(p, env) !== undefined))(program))
          throw new DriverUnavailable(
            "tool",
            program,
            "this driver runs on macOS, where the program comes with the system",
          );
      const granted = JSON.parse(await jxa(PERMISSIONS_SCRIPT)) as { screenRecording: boolean; accessibility: boolean };
      if (!granted.screenRecording)
        throw new DriverUnavailable("permission", "Screen Recording", permissionMessage("screenRecording", host));
      if (!granted.accessibility)
        throw new DriverUnavailable("permission", "Accessibility", permissionMessage("accessibility", host));
    },
    async screenSize() {
      const { width, height } = JSON.parse(await jxa(SCREEN_SIZE_SCRIPT)) as { width: number; height: number };
      return { width: Math.round(width), height: Math.round(height) };
    },
    async screenshot(size, region) {
      const dir = await mkdtemp(join(tmpdir(), "worksite-screen-"));
      try {
        const shot = join(dir, "screen.png");
        const scaled = join(dir, "scaled.png");
        // -x: no shutter sound; -R: a region in points; the picture is in pixels (twice as many on Retina), so sips sets the exact size.
        await run(
          SCREENCAPTURE,
          [
            "-x",
            "-t",
            "png",
            ...(region ? ["-R", `${region.x},${region.y},${region.width},${region.height}`] : []),
            shot,
          ],
          { env },
        );
        await run(SIPS, ["-z", String(size.height), String(size.width), shot, "--out", scaled], { env });
        return new Uint8Array(await readFile(scaled));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async windows() {
      return (await windows()).windows;
    },
    async windowAt(p) {
      return (await windows()).windows.find(
        ({ bounds: b }) => b && p.x >= b.x && p.y >= b.y && p.x < b.x + b.width && p.y < b.y + b.height,
      );
    },
    async focusedWindow() {
      const { frontPid, windows: list } = await windows();
      return list.find((w) => w.pid === frontPid);
    },
    async cursor() {
      return JSON.parse(await jxa(CURSOR_SCRIPT)) as Point;
    },
    async move(to) {
      await input([{ move: [to.x, to.y] }]);
    },
    async click(at, button, count, modifiers: Modifier[]) {
      const flags = flagsOf(modifiers);
      const steps: InputStep[] = [{ move: [at.x, at.y] }];
      for (let n = 1; n <= count; n++)
        steps.push(buttonSteps(at, button, "down", n, flags), buttonSteps(at, button, "up", n, flags));
      await input(steps);
    },
    async press(at, button, state) {
      await input([{ move: [at.x, at.y] }, buttonSteps(at, button, state, 1, 0)]);
    },
    async drag(path, button) {
      const [first, ...rest] = path;
      if (!first) return;
      const last = rest[rest.length - 1] ?? first;
      await input([
        { move: [first.x, first.y] },
        buttonSteps(first, button, "down", 1, 0),
        ...rest.flatMap((p) => [{ drag: [p.x, p.y], buttonName: button }, { sleep: 30 }]),
        buttonSteps(last, button, "up", 1, 0),
      ]);
    },
    async scroll(at, direction, amount, modifiers) {
      const [dx, dy] = { up: [0, 1], down: [0, -1], left: [1, 0], right: [-1, 0] }[direction];
      const flags = flagsOf(modifiers);
      await input([
        { move: [at.x, at.y] },
        ...Array.from({ length: amount }, () => ({ scroll: [dx, dy], ...(flags ? { flags } : {}) })),
      ]);
    },
    async type(text) {
      await input([{ text }]);
    },
    async key(chords, repeat) {
      const steps = parseKeys(chords.join(" ")).flatMap((c) => chordSteps(c));
      await input(Array.from({ length: repeat }, () => [...steps, { sleep: 30 }]).flat());
    },
    async keyDown(chords) {
      await input(parseKeys(chords.join(" ")).flatMap((c) => chordSteps(c, "down")));
    },
    async keyUp(chords) {
      await input(parseKeys(chords.join(" ")).flatMap((c) => chordSteps(c, "up")));
    },
    async releaseAll() {
      await input(parseKeys("shift ctrl alt super").flatMap((c) => chordSteps(c, "up"))).catch(() => {});
    },
  };
}
