import { describe, expect, it } from "vitest";
import { describeRunEvent } from "./commands/run.js";
import { styler } from "./io.js";
import { createRunProgress, formatElapsed } from "./run-progress.js";
import { captureIO } from "./test-support/cli-harness.js";

const paint = styler(false);

describe("run progress", () => {
  it("on a terminal, keeps the started step on one line and replaces it with the outcome", () => {
    const io = captureIO("/");
    const progress = createRunProgress({ io, paint, live: true, describe: (e) => describeRunEvent(e, paint, null) });
    progress.onEvent({ type: "call-start", round: 1, tool: "shell.run", detail: "npm test" });
    expect(io.out).toBe("  …                shell.run  npm test");
    progress.onEvent({ type: "call", round: 1, tool: "shell.run", status: "ok", message: "$ npm test", ms: 61_500 });
    expect(io.out).toBe(
      "  …                shell.run  npm test\r\u001b[2K  ok               shell.run  $ npm test  (1 min 02 s)\n",
    );
    progress.close();
  });

  it("off a terminal, the start is a line of its own and nothing is erased", () => {
    const io = captureIO("/");
    const progress = createRunProgress({ io, paint, live: false, describe: (e) => describeRunEvent(e, paint, null) });
    progress.onEvent({ type: "call-start", round: 1, tool: "file.write", detail: "src/a.txt" });
    progress.onEvent({ type: "call", round: 1, tool: "file.write", status: "ok", message: "created", ms: 3 });
    expect(io.out).toBe("  …                file.write  src/a.txt\n  ok               file.write  created\n");
    progress.close();
  });

  it("says elapsed time in seconds, then minutes", () => {
    expect(formatElapsed(1234)).toBe("1.2 s");
    expect(formatElapsed(125_000)).toBe("2 min 05 s");
  });
});
