import { describe, expect, it } from "vitest";
import { wakeProblem, wakeSpec } from "./wake.js";

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

describe("wake schedule kinds (issue 16)", () => {
  it("reads an interval, a cron expression with a time zone and a one-shot time", () => {
    expect(wakeSpec("30m")).toEqual({ kind: "interval", ms: 30 * 60_000 });
    expect(wakeSpec("0 9 * * 1-5 Europe/Berlin")).toEqual({
      kind: "cron",
      expression: "0 9 * * 1-5",
      timezone: "Europe/Berlin",
    });
    expect(wakeSpec("*/15 * * * *")).toEqual({ kind: "cron", expression: "*/15 * * * *" });
    expect(wakeSpec("2026-12-24T09:00:00+01:00")).toEqual({ kind: "once", at: "2026-12-24T08:00:00.000Z" });
  });

  it("says what is wrong with a zone it does not know or a date without a time", () => {
    expect(wakeProblem("0 9 * * * Mars/Olympus")).toMatch(/not an IANA time zone/);
    expect(wakeProblem("2026-12-24")).toMatch(/needs a time and a zone/);
  });
});
