// A bench works on throwaway worksites as a person would, so their approvals and audit anchors go to a state
// folder of its own (removed at exit), never into the person's real one. Import it first: children inherit it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

if (!process.env.WORKSITE_STATE_DIR) {
  const dir = mkdtempSync(join(tmpdir(), "worksite-bench-state-"));
  process.env.WORKSITE_STATE_DIR = dir;
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
}
