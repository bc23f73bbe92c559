import type { Diagnostic } from "../errors.js";
import type { PermissionsFile } from "../files/types.js";

/**
 * What PERMISSIONS.md lets happen outside the gate, for a person to read in
 * `worksite check`. The gate decides calls; once an allowed command runs code
 * the agent could also write (a test runner, a script), that code runs as the
 * worksite's user and nothing in this process sees what it does.
 */
export function trustNotes(permissions: PermissionsFile): Diagnostic[] {
  const allowed = permissions.rules.filter((r) => r.tier === "allow");
  const runs = allowed.find((r) => r.tool === "shell.run" || r.tool === "shell.*" || r.tool === "*");
  const writes = allowed.find((r) => r.tool === "file.write" || r.tool === "file.*" || r.tool === "*");
  if (!runs || !writes) return [];
  return [
    {
      severity: "note",
      file: runs.source.file,
      line: runs.source.line,
      message: `\`${runs.text}\` runs commands and \`${writes.text}\` (line ${writes.source.line}) lets the agent write files they may run: code the agent writes then runs as your user, outside the gate`,
      hint: "for untrusted work run the thread under its own OS user or in a container; keep secrets and other repositories out of that user's reach",
    },
  ];
}
