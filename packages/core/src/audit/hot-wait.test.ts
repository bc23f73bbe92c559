import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { hotWait } from "./hot-wait.js";

const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));
const immediatesPending = () => process.getActiveResourcesInfo().filter((r) => r === "Immediate").length;

describe("a durable append's wait that keeps the event loop polling (hotWait)", () => {
  it("settles with what it waited for, or with its error", async () => {
    await expect(hotWait(later(5, "synced"), 50)).resolves.toBe("synced");
    await expect(hotWait(Promise.reject(new Error("EIO")), 50)).rejects.toThrow("EIO");
  });

  it("holds nothing else up meanwhile: timers fire and file reads come back during the wait", async () => {
    const seen: string[] = [];
    setTimeout(() => seen.push("timer"), 2);
    void readFile(fileURLToPath(import.meta.url)).then(() => seen.push("read"));
    await hotWait(later(40, undefined), 100);
    expect(seen.sort()).toEqual(["read", "timer"]);
  });

  it("stops polling at its cap, so a slow disk is waited for asleep, and leaves nothing scheduled once done", async () => {
    // While it polls, one of its immediates is always pending when a timer runs; other code's come and go.
    const samples = async (n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        await later(2, undefined);
        out.push(immediatesPending());
      }
      return out;
    };
    const waiting = hotWait(later(200, undefined), 30);
    expect((await samples(5)).every((n) => n > 0)).toBe(true);
    // A second wait meanwhile shares the one chain rather than adding its own.
    const second = hotWait(later(10, undefined), 30);
    expect((await samples(3)).some((n) => n === 1)).toBe(true);
    await second;
    await later(30, undefined);
    expect((await samples(10)).some((n) => n === 0)).toBe(true);
    await waiting;
    await hotWait(later(1, undefined), 1_000);
    expect((await samples(10)).some((n) => n === 0)).toBe(true);
  });
});
