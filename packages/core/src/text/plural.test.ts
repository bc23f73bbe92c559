import { describe, expect, it } from "vitest";
import { plural } from "./plural.js";

describe("plural", () => {
  it("says 1 byte, 2 bytes, 0 entries, 1 entry, 3 matches", () => {
    expect([
      plural(1, "byte"),
      plural(2, "byte"),
      plural(0, "entry"),
      plural(1, "entry"),
      plural(3, "match"),
      plural(2, "day"),
    ]).toEqual(["1 byte", "2 bytes", "0 entries", "1 entry", "3 matches", "2 days"]);
  });
});
