import type { Button, Driver, ScrollDirection, WindowInfo } from "../driver.js";
import { DriverUnavailable } from "../driver.js";
import { type CommandRunner, findProgram, runCommand } from "../exec.js";
import type { Modifier } from "../keys.js";
import type { Point, Size } from "../scale.js";
import { parseGeometries, parseWmClass, windowsAt } from "./parse.js";

export interface X11Options {
  /** The X display (":0"); defaults to $DISPLAY. */
  display?: string;
  run?: CommandRunner;
  env?: NodeJS.ProcessEnv;
  /** Milliseconds between typed keys. */
  typeDelayMs?: number;
}

const BUTTONS: Record<Button, string> = { left: "1", middle: "2", right: "3" };
const WHEEL: Record<ScrollDirection, string> = { up: "4", down: "5", left: "6", right: "7" };
// The first `convert`/`import` on PATH may be a stand-in (TOOLCHAIN.md): prefer ImageMagick's own.
const IMPORT_CANDIDATES = ["/usr/bin/import", "import"];

/**
 * X11 (Linux desktops, and how this plugin is tested for real under Xvfb):
 * xdotool for input and window facts, xprop for WM_CLASS, ImageMagick's
 * `import` for a screenshot scaled in the same command. No window manager is
 * needed: windows are read bottom-to-top from `xdotool search`, which walks
 * the X server's stacking order.
 */
export function createX11Driver(options: X11Options = {}): Driver {
  const run = options.run ?? runCommand;
  const baseEnv = options.env ?? process.env;
  const display = options.display ?? baseEnv.DISPLAY;
  const env = { ...baseEnv, ...(display ? { DISPLAY: display } : {}) };
  const typeDelay = String(options.typeDelayMs ?? 12);
  let importPath: string | undefined;

  const xdotool = async (args: string[]) => (await run("xdotool", args, { env })).stdout.toString("utf8");

  async function describe(id: string, bounds?: Point & Size): Promise<WindowInfo> {
    const [cls, name, pid] = await Promise.all([
      run("xprop", ["-id", id, "WM_CLASS"], { env }).then((o) => parseWmClass(o.stdout.toString("utf8"))),
      xdotool(["getwindowname", id]).catch(() => ""),
      xdotool(["getwindowpid", id]).catch(() => ""),
    ]);
    const info: WindowInfo = { id, app: cls ?? "unknown", title: name.replace(/\n$/, "") };
    const n = Number.parseInt(pid, 10);
    if (Number.isFinite(n)) info.pid = n;
    if (bounds) info.bounds = bounds;
    return info;
  }

  async function visible() {
    // --classname . : every viewable window that names its class; %@ = each of them, in stacking order bottom-to-top.
    const out = await xdotool([
      "search",
      "--onlyvisible",
      "--classname",
      ".",
      "getwindowgeometry",
      "--shell",
      "%@",
    ]).catch(() => "");
    return parseGeometries(out);
  }

  const held = (modifiers: Modifier[], args: string[]) =>
    modifiers.length ? ["keydown", ...modifiers, ...args, "keyup", ...modifiers] : args;

  return {
    platform: "x11",
    async preflight() {
      if (!display)
        throw new DriverUnavailable(
          "display",
          "DISPLAY",
          "run worksite inside an X session, or set DISPLAY (under Xvfb: Xvfb :99 & export DISPLAY=:99)",
        );
      for (const tool of ["xdotool", "xprop"]) {
        if (!findProgram(tool, env))
          throw new DriverUnavailable("tool", tool, `apt-get install -y ${tool === "xprop" ? "x11-utils" : tool}`);
      }
      importPath = IMPORT_CANDIDATES.find((p) => findProgram(p, env));
      if (!importPath) throw new DriverUnavailable("tool", "import (ImageMagick)", "apt-get install -y imagemagick");
      try {
        await xdotool(["getdisplaygeometry"]);
      } catch (error) {
        throw new DriverUnavailable(
          "display",
          display,
          `no X server answers on ${display}: start one or fix DISPLAY (${(error as Error).message})`,
        );
      }
    },
    async screenSize() {
      const [w, h] = (await xdotool(["getdisplaygeometry"])).trim().split(/\s+/).map(Number);
      if (!w || !h) throw new Error("xdotool getdisplaygeometry gave no size");
      return { width: w, height: h };
    },
    async screenshot(size, region) {
      const args = ["-silent", "-window", "root"];
      if (region) args.push("-crop", `${region.width}x${region.height}+${region.x}+${region.y}`, "+repage");
      args.push("-resize", `${size.width}x${size.height}!`, "-depth", "8", "png:-");
      return new Uint8Array((await run(importPath ?? "/usr/bin/import", args, { env })).stdout);
    },
    async windows() {
      const list = await visible();
      return Promise.all(list.reverse().map((g) => describe(g.id, g.bounds)));
    },
    async windowAt(point) {
      const top = windowsAt(await visible(), point)[0];
      return top ? describe(top.id, top.bounds) : undefined;
    },
    async focusedWindow() {
      const id = (await xdotool(["getwindowfocus"]).catch(() => "")).trim();
      if (!/^\d+$/.test(id) || id === "0" || id === "1") return undefined;
      const geometry = parseGeometries(await xdotool(["getwindowgeometry", "--shell", id]).catch(() => ""))[0];
      return describe(id, geometry?.bounds);
    },
    async cursor() {
      const out = await xdotool(["getmouselocation", "--shell"]);
      const x = Number(/^X=(\d+)/m.exec(out)?.[1]);
      const y = Number(/^Y=(\d+)/m.exec(out)?.[1]);
      return { x, y };
    },
    // No --sync on mousemove: it waits for the pointer to move, forever when it is already there.
    async move(to) {
      await xdotool(["mousemove", String(to.x), String(to.y)]);
    },
    async click(at, button, count, modifiers) {
      await xdotool([
        "mousemove",
        String(at.x),
        String(at.y),
        ...held(modifiers, ["click", "--repeat", String(count), "--delay", "80", BUTTONS[button]]),
      ]);
    },
    async press(at, button, state) {
      await xdotool(["mousemove", String(at.x), String(at.y), `mouse${state}`, BUTTONS[button]]);
    },
    async drag(path, button) {
      const [first, ...rest] = path;
      if (!first) return;
      // Several moves while the button is down: apps start a drag only after the pointer travels with it held.
      const moves = rest.flatMap((p) => ["mousemove", String(p.x), String(p.y), "sleep", "0.05"]);
      await xdotool([
        "mousemove",
        String(first.x),
        String(first.y),
        "mousedown",
        BUTTONS[button],
        "sleep",
        "0.05",
        ...moves,
        "mouseup",
        BUTTONS[button],
      ]);
    },
    async scroll(at, direction, amount, modifiers) {
      await xdotool([
        "mousemove",
        String(at.x),
        String(at.y),
        ...held(modifiers, ["click", "--repeat", String(amount), "--delay", "40", WHEEL[direction]]),
      ]);
    },
    async type(text) {
      // `--` ends xdotool's options: typed text that starts with "-" is typed, never read as a flag.
      await xdotool(["type", "--delay", typeDelay, "--", text]);
    },
    async key(chords, repeat) {
      await xdotool(["key", "--repeat", String(repeat), "--delay", "50", "--", ...chords]);
    },
    async keyDown(chords) {
      await xdotool(["keydown", "--", ...chords]);
    },
    async keyUp(chords) {
      await xdotool(["keyup", "--", ...chords]);
    },
    async releaseAll() {
      await xdotool(["keyup", "shift", "ctrl", "alt", "super"]).catch(() => {});
      for (const b of Object.values(BUTTONS)) await xdotool(["mouseup", b]).catch(() => {});
    },
  };
}
