import { describe, expect, it } from "vitest";
import { splitProgress } from "./progress.js";

describe("PROGRESS.md as the panel reads it", () => {
  it("keeps a standing-state section (decisions, open problems, on next wake) for the whole thread, apart from the rounds", () => {
    const p = splitProgress(`# Progress

## Standing state
- decided: keep the API
- on next wake: run the slow suite

## Round 1 — continue: tests fail
did things

### Changed files
- src/a.js

## Round 2 — done: verification passed
all good
`);
    expect(p.rounds.map((r) => r.round)).toEqual([1, 2]);
    expect(p.rounds[0]!.body).toContain("### Changed files");
    expect(p.standing).toContain("## Standing state");
    expect(p.standing).toContain("on next wake: run the slow suite");
    expect(p.standing).not.toContain("did things");
  });

  it("a section after the rounds ends the last round instead of joining it", () => {
    const p = splitProgress("## Round 1 — done: ok\nbody\n\n## Open problems\n- flaky test\n");
    expect(p.rounds[0]!.body).not.toContain("flaky");
    expect(p.standing).toContain("flaky test");
  });
});
