import type { z } from "zod";

/** "shell.run: invalid input — command: expected string, received undefined; timeout: …" */
export function describeInputError(tool: string, error: z.ZodError): string {
  const parts = error.issues.map((issue) => {
    const where = issue.path.length ? issue.path.map(String).join(".") : "(input)";
    return `${where}: ${issue.message}`;
  });
  return `${tool}: invalid input — ${parts.join("; ")}`;
}
