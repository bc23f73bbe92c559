import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../errors.js";
import { parseThread, safeParseThread } from "./parse-thread.js";

const opts = { file: "THREAD.md" };
function errorsOf(text: string): string[] {
  const result = safeParseThread(text, opts);
  if (result.ok) throw new Error("expected errors, got none");
  return result.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic);
}

describe("THREAD.md wake:, rollout: and notify: (issue 16)", () => {
  it("reads a wake with an expiry and a pin, a rollout plan and a notify command", () => {
    const t = parseThread(
      "---\nwake: { schedule: 30m, expires: 7d, pinned: false }\nstage: monitor\nrollout: { monitor: 7d or 10 clean wakes, draft: 5 clean wakes, incidents: 2 }\nnotify: notify-send worksite\n---\n",
      opts,
    );
    expect(t.wake).toBe("30m");
    expect(t.wakeOptions).toEqual({ expiresMs: 7 * 86_400_000, pinned: false });
    expect(t.rollout).toEqual({
      stages: ["monitor", "draft", "write"],
      earn: {
        monitor: { afterMs: 7 * 86_400_000, cleanWakes: 10, text: "7d or 10 clean wakes" },
        draft: { cleanWakes: 5, text: "5 clean wakes" },
      },
      sameFailure: 2,
    });
    expect(t.notify).toBe("notify-send worksite");
  });

  it("names the line of a promotion condition it cannot read, and of an unknown wake setting", () => {
    expect(errorsOf("---\nwake: 30m\nrollout:\n  monitor: when it feels right\n---\n")).toEqual([
      expect.stringMatching(/^THREAD\.md:4:\d+: error: setting `rollout\.monitor`: "when it feels right" is neither/),
    ]);
    expect(errorsOf("---\nwake: { schedule: 30m, pin: true }\n---\n")[0]).toMatch(
      /^THREAD\.md:2:\d+: error: unknown setting `wake\.pin`\n {2}hint: .*pinned/,
    );
  });
});
