import { scanSecrets } from "@worksite/core";
import { type FileSummary, holdsSecret } from "./file-summary.js";
import type { LoadedFile } from "./store.js";

/** Why an entry is kept from agents, or undefined when they may see it. */
export function hiddenReason(file: LoadedFile | FileSummary, today: string): string | undefined {
  if (!file.entry) return "it does not parse (run worksite memory audit)";
  // A secret the audit would flag keeps the whole entry out of every agent context.
  if ("oid" in file ? holdsSecret(file) : scanSecrets(file.text).length)
    return "it holds a secret (run worksite memory audit)";
  const { expires, status } = file.entry.meta;
  if (expires && expires.slice(0, 10) < today) return `it expired on ${expires}`;
  if (status === "superseded") return "it was forgotten (status: superseded)";
  return undefined;
}
