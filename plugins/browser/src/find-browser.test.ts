import { describe, expect, it } from "vitest";
import { UserError } from "@worksite/core";
import { findBrowser } from "./find-browser.js";

describe("finding a browser", () => {
  const only =
    (...paths: string[]) =>
    (p: string) =>
      paths.includes(p);

  it("prefers the explicit path, then CHROME_PATH, then the usual places", () => {
    const isExecutable = only("/opt/a/chrome", "/opt/b/chrome", "/usr/bin/chromium");
    expect(
      findBrowser({
        executablePath: "/opt/a/chrome",
        env: { CHROME_PATH: "/opt/b/chrome" },
        platform: "linux",
        isExecutable,
      }),
    ).toBe("/opt/a/chrome");
    expect(findBrowser({ env: { CHROME_PATH: "/opt/b/chrome" }, platform: "linux", isExecutable })).toBe(
      "/opt/b/chrome",
    );
    expect(findBrowser({ env: {}, platform: "linux", isExecutable })).toBe("/usr/bin/chromium");
  });

  it("finds Chrome in /Applications on macOS", () => {
    const mac = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome";
    expect(findBrowser({ env: {}, platform: "darwin", isExecutable: only(mac) })).toBe(mac);
  });

  it("says how to install Chromium when none is found", () => {
    let error: unknown;
    try {
      findBrowser({ env: {}, platform: "linux", isExecutable: () => false });
    } catch (e) {
      error = e;
    }
    expect(UserError.isUserError(error)).toBe(true);
    expect((error as UserError).hint).toContain("sudo apt-get install -y chromium");
  });

  it("refuses a CHROME_PATH that points nowhere instead of silently using another browser", () => {
    expect(() =>
      findBrowser({ env: { CHROME_PATH: "/nope/chrome" }, platform: "linux", isExecutable: only("/usr/bin/chromium") }),
    ).toThrow(/No browser at \/nope\/chrome \(from CHROME_PATH\)/);
  });

  it("finds the Chromium installed on this machine", () => {
    expect(findBrowser()).toMatch(/chrom/i);
  });
});
