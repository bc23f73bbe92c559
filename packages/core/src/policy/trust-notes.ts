import type { Diagnostic } from "../errors.js";
import type { PermissionsFile } from "../files/types.js";

/**
 * What PERMISSIONS.md lets happen outside the gate, for a person to read in
 * `worksite check`. The gate decides calls; once an allowed command runs code
 * the agent could also write (a test runner, a script), the gate does not see
 * what that code does: the sandbox holds it (work tree writes, no person's
 * folders or credentials, allowed hosts only), and with `sandbox: off`
 * nothing does.
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
      message: `\`${runs.text}\` runs commands and \`${writes.text}\` (line ${writes.source.line}) lets the agent write files they may run: code the agent writes then runs without the gate deciding each of its actions — held only by the sandbox (or, with THREAD.md \`sandbox: off\`, as your user)`,
      hint: "inside the sandbox it can still read what your user can outside the person's folders and credentials: forbid `file.read` of other repositories and secrets, or run untrusted work under its own OS user or in a container",
    },
  ];
}
