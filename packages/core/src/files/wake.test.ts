import { describe, expect, it } from "vitest";
import { wakeProblem } from "./wake.js";

describe("wake schedule", () => {
  it("accepts intervals, cron expressions and nicknames", () => {
    for (const ok of ["30m", "2h", "1d", "45s", "*/15 * * * *", "0 9 * * 1-5", "0 0 9 * * MON-FRI", "@daily"])
      expect(wakeProblem(ok), ok).toBeUndefined();
  });

  it("explains what is wrong with a schedule it cannot read", () => {
    expect(wakeProblem("30")).toMatch(/no unit/);
    expect(wakeProblem("0m")).toMatch(/longer than zero/);
    expect(wakeProblem("61 * * * *")).toMatch(/minute/);
    expect(wakeProblem("every day")).toMatch(/neither an interval nor a cron/);
  });
});
