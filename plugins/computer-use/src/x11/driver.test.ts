import { describe, expect, it } from "vitest";
import type { CommandRunner } from "../exec.js";
import { createX11Driver } from "./driver.js";
import { parseGeometries, parseWmClass, windowsAt } from "./parse.js";

/** A runner that records each command line instead of running it (the real runs are in test/x11-gate.test.ts). */
function recording() {
  const lines: string[][] = [];
  const run: CommandRunner = async (program, args) => {
    lines.push([program, ...args]);
    return { stdout: Buffer.from(""), stderr: "" };
  };
  return { lines, driver: createX11Driver({ run, display: ":99", env: {} }) };
}

describe("the X11 driver's command lines", () => {
  it("types text that looks like options after `--`, as one argv word, with no shell between", async () => {
    const { lines, driver } = recording();
    await driver.type("--help; $(rm -rf ~) `id` | key --window 0 ctrl+alt+Delete");
    expect(lines).toEqual([
      ["xdotool", "type", "--delay", "12", "--", "--help; $(rm -rf ~) `id` | key --window 0 ctrl+alt+Delete"],
    ]);
  });

  it("presses chords after `--`, so no chord can become an xdotool option", async () => {
    const { lines, driver } = recording();
    await driver.key(["ctrl+a", "Return"], 2);
    expect(lines).toEqual([["xdotool", "key", "--repeat", "2", "--delay", "50", "--", "ctrl+a", "Return"]]);
  });

  it("holds modifiers around a click and releases them in the same command", async () => {
    const { lines, driver } = recording();
    await driver.click({ x: 5, y: 6 }, "right", 1, ["shift"]);
    expect(lines[0]).toEqual([
      "xdotool",
      ...["mousemove", "5", "6", "keydown", "shift", "click", "--repeat", "1", "--delay", "80", "3", "keyup", "shift"],
    ]);
  });
});

describe("reading X11 windows", () => {
  const out = [
    "WINDOW=10",
    "X=0",
    "Y=0",
    "WIDTH=800",
    "HEIGHT=600",
    "SCREEN=0",
    "WINDOW=20",
    "X=100",
    "Y=100",
    "WIDTH=300",
    "HEIGHT=300",
    "SCREEN=0",
  ].join("\n");

  it("takes the topmost window containing the point (xdotool lists bottom to top)", () => {
    const list = parseGeometries(out);
    expect(windowsAt(list, { x: 150, y: 150 }).map((w) => w.id)).toEqual(["20", "10"]);
    expect(windowsAt(list, { x: 50, y: 50 }).map((w) => w.id)).toEqual(["10"]);
    expect(windowsAt(list, { x: 900, y: 50 })).toEqual([]);
  });

  it("reads WM_CLASS's class part, quotes included, and nothing from a title that imitates it", () => {
    expect(parseWmClass('WM_CLASS(STRING) = "chromium", "Chromium"\n')).toBe("Chromium");
    expect(parseWmClass('WM_CLASS(STRING) = "a", "Say \\"hi\\""\n')).toBe('Say "hi"');
    expect(parseWmClass("WM_CLASS:  not found.\n")).toBeUndefined();
  });
});
