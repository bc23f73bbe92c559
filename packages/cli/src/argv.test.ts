import { describe, expect, it } from "vitest";
import { UserError } from "@worksite/core";
import { parseArgv } from "./argv.js";

describe("parseArgv", () => {
  it("reads aliases, inline values and repeated flags", () => {
    const parsed = parseArgv(["-w", "site", "--json", "--tag=a", "--tag", "b", "rest"], {
      tag: { type: "string", multiple: true, description: "" },
    });
    expect(parsed).toEqual({ positionals: ["rest"], options: { worksite: "site", json: true, tag: ["a", "b"] } });
  });

  it("suggests the closest option for a typo instead of ignoring it", () => {
    try {
      parseArgv(["--jsno"], {});
      expect.unreachable();
    } catch (e) {
      expect(UserError.isUserError(e)).toBe(true);
      expect((e as UserError).hint).toContain("--json");
    }
  });
});
