import { join } from "node:path";

// Where a worksite's runtime files are, in a module that loads nothing: `worksite status` reads them
// without the session or the report writer (issue 13 item 3).

export function auditPath(root: string): string {
  return join(root, ".worksite", "audit.jsonl");
}

export function progressPath(root: string): string {
  return join(root, "PROGRESS.md");
}
