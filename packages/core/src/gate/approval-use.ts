import { readLines } from "../audit/read.js";

/**
 * Whether the audit log records a use of approval `id` (an entry whose
 * `data.consumed` is that id, written by the gate before the approved call
 * runs). The log is hash-chained and outside every command's reach, so an
 * approval file put back as "approved" with its old seal, or re-sealed with a
 * stolen key, is still known as used here (issue 11 item 3). A plain substring
 * test skips almost every line before any JSON is parsed; this runs only when
 * a sealed approval for the very call is about to be honoured.
 */
export async function approvalUsedInAudit(logPath: string, id: string): Promise<boolean> {
  const needle = `"consumed":"${id}"`;
  for await (const line of readLines(logPath)) {
    if (!line.text.includes(needle)) continue;
    try {
      const entry = JSON.parse(line.text) as { data?: { consumed?: unknown } };
      if (entry.data?.consumed === id) return true;
    } catch {
      // A torn line is verify's business; it records no use.
    }
  }
  return false;
}
