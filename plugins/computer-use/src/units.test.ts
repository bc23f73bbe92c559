import { describe, expect, it } from "vitest";
import { appTarget, deniedBecause, ruleNamesApp } from "./deny-list.js";
import { parseChord } from "./keys.js";
import { toGateCall } from "./openai.js";
import { scaledSize, toScaled, toScreen } from "./scale.js";

describe("what the model sees", () => {
  it("scales a screen to XGA, WXGA or FWXGA by its aspect ratio, and never up", () => {
    expect(scaledSize({ width: 2048, height: 1536 })).toEqual({ width: 1024, height: 768 });
    expect(scaledSize({ width: 2560, height: 1600 })).toEqual({ width: 1280, height: 800 });
    expect(scaledSize({ width: 3840, height: 2160 })).toEqual({ width: 1366, height: 768 });
    expect(scaledSize({ width: 800, height: 600 })).toEqual({ width: 800, height: 600 });
  });

  it("maps a point in the picture back to real pixels and forth", () => {
    const scaled = { width: 1280, height: 800 };
    const screen = { width: 2560, height: 1600 };
    expect(toScreen({ x: 640, y: 400 }, scaled, screen)).toEqual({ x: 1280, y: 800 });
    expect(toScreen({ x: 1279, y: 799 }, scaled, screen)).toEqual({ x: 2558, y: 1598 });
    expect(toScaled({ x: 1280, y: 800 }, scaled, screen)).toEqual({ x: 640, y: 400 });
  });
});

describe("the built-in deny list", () => {
  it("covers password managers, terminals and the security settings, not ordinary apps", () => {
    expect(deniedBecause({ app: "1Password 7", title: "" })).toMatch(/password manager/);
    expect(deniedBecause({ app: "KeePassXC", title: "" })).toMatch(/password manager/);
    expect(deniedBecause({ app: "Keychain Access", title: "" })).toMatch(/keychain/);
    expect(deniedBecause({ app: "XTerm", title: "bash" })).toMatch(/terminal/);
    expect(deniedBecause({ app: "Gnome-terminal", title: "" })).toMatch(/terminal/);
    expect(deniedBecause({ app: "System Settings", title: "Privacy & Security" })).toMatch(/privacy and security/);
    expect(deniedBecause({ app: "System Settings", title: "Displays" })).toBeUndefined();
    expect(deniedBecause({ app: "Calculator", title: "Terminal velocity" })).toBeUndefined();
  });

  it("is lifted only by a rule naming the app, not by a glob over every app", () => {
    const rule = (text: string) => ({
      tier: "allow" as const,
      by: "rule" as const,
      reason: "",
      rule: { text, file: "P", line: 1 },
    });
    expect(ruleNamesApp(rule("computer.type(app:KeePassXC)"), "KeePassXC")).toBe(true);
    expect(ruleNamesApp(rule("computer.* app:keepassxc"), "KeePassXC")).toBe(true);
    expect(ruleNamesApp(rule("computer.*(app:*)"), "KeePassXC")).toBe(false);
    expect(ruleNamesApp(rule("computer.*(app:Kee*)"), "KeePassXC")).toBe(false);
    expect(ruleNamesApp(rule("computer.*"), "KeePassXC")).toBe(false);
    expect(ruleNamesApp({ tier: "confirm", by: "default", reason: "" }, "KeePassXC")).toBe(false);
  });

  it("names the target as app:NAME, and none where no window is", () => {
    expect(appTarget({ id: "1", app: "Google  Chrome", title: "" })).toBe("app:Google Chrome");
    expect(appTarget(undefined)).toBe("app:none");
  });
});

describe("keys and OpenAI actions", () => {
  it("reads xdotool chords and refuses anything that is not a key name", () => {
    expect(parseChord("ctrl+shift+t")).toEqual({ modifiers: ["ctrl", "shift"], key: "t" });
    expect(parseChord("cmd+c")).toEqual({ modifiers: ["super"], key: "c" });
    expect(parseChord("-")).toMatch(/not a key name/);
    expect(parseChord("a b")).toMatch(/not a key name/);
  });

  it("turns each OpenAI action into one computer tool call", () => {
    expect(toGateCall({ type: "double_click", x: 3, y: 4 })).toEqual({
      tool: "computer.click",
      input: { x: 3, y: 4, clicks: 2 },
    });
    expect(toGateCall({ type: "keypress", keys: ["CTRL", "SHIFT", "T"] })).toEqual({
      tool: "computer.key",
      input: { keys: "ctrl+shift+t" },
    });
    expect(toGateCall({ type: "scroll", x: 1, y: 2, scroll_x: 0, scroll_y: -300 })).toEqual({
      tool: "computer.scroll",
      input: { x: 1, y: 2, direction: "up", amount: 3 },
    });
    expect(toGateCall({ type: "click", x: 1, y: 2, button: "wheel" }).input).toMatchObject({ button: "middle" });
  });
});
