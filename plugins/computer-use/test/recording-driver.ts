import type { Driver, WindowInfo } from "../src/driver.js";

/** A driver stand-in (not a desktop: for tests about what the gate lets through) that records every input it was asked to send. */
export function recordingDriver(
  sent: string[],
  window: WindowInfo = { id: "1", app: "Calculator", title: "Calculator" },
): Driver {
  const record = (what: string) => async () => void sent.push(what);
  return {
    platform: "x11",
    preflight: async () => {},
    screenSize: async () => ({ width: 1024, height: 768 }),
    screenshot: async () => new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
    windows: async () => [window],
    windowAt: async () => window,
    focusedWindow: async () => window,
    cursor: async () => ({ x: 0, y: 0 }),
    move: record("move"),
    click: record("click"),
    press: record("press"),
    drag: record("drag"),
    scroll: record("scroll"),
    type: record("type"),
    key: record("key"),
    keyDown: record("keyDown"),
    keyUp: record("keyUp"),
    releaseAll: record("releaseAll"),
  };
}
