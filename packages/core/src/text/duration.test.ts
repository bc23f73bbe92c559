import { describe, expect, it } from "vitest";
import { parseDuration } from "./duration.js";

describe("parseDuration", () => {
  it("reads the short forms", () => {
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("10m")).toBe(600_000);
    expect(parseDuration("1.5h")).toBe(5_400_000);
    expect(parseDuration("2d")).toBe(172_800_000);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("0s")).toBe(0);
  });

  it("reads English words, singular and plural, with or without a space, in any case", () => {
    expect(parseDuration("2 hours")).toBe(7_200_000);
    expect(parseDuration("1 hour")).toBe(3_600_000);
    expect(parseDuration("30 min")).toBe(1_800_000);
    expect(parseDuration("30 mins")).toBe(1_800_000);
    expect(parseDuration("1 minute")).toBe(60_000);
    expect(parseDuration("3 days")).toBe(259_200_000);
    expect(parseDuration("1 day")).toBe(86_400_000);
    expect(parseDuration("45 seconds")).toBe(45_000);
    expect(parseDuration("2 hrs")).toBe(7_200_000);
    expect(parseDuration(" 2H ")).toBe(7_200_000);
  });

  it("reads the Chinese units the GOAL and THREAD parsers accept", () => {
    expect(parseDuration("30秒")).toBe(30_000);
    expect(parseDuration("10分钟")).toBe(600_000);
    expect(parseDuration("2小时")).toBe(7_200_000);
    expect(parseDuration("3天")).toBe(259_200_000);
    expect(parseDuration("500 毫秒")).toBe(500);
  });

  it("refuses what is not one number and one known unit", () => {
    for (const bad of [
      "",
      "30",
      "m",
      "ten minutes",
      "-5m",
      "5 fortnights",
      "5m 30s",
      "1e3s",
      "3 constructor",
      "5 m!",
      "2 weeks",
    ]) {
      expect(parseDuration(bad), bad).toBeUndefined();
    }
  });
});
