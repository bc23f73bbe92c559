import { existsSync } from "node:fs";
import { isAbsolute, join, normalize } from "node:path";
import type { Diagnostic, Worksite } from "@worksite/core";

/** `[runbook](runbook.md)` and `<runbook.md>` in a read-first item: files the agent is told to read before it starts. */
const LINK = /\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g;

/**
 * A THREAD.md "read first" link to a file that is not there: the agent would be told to read something
 * that does not exist (a companion file never scaffolded, or renamed). Web links are not checked.
 */
export function readFirstWarnings(worksite: Worksite, root: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const item of worksite.thread.readFirst) {
    for (const match of item.text.matchAll(LINK)) {
      const target = match[1]!.split("#")[0]!;
      if (!target || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const path = isAbsolute(target) ? target : join(root, normalize(decodeURI(target)));
      if (existsSync(path)) continue;
      out.push({
        severity: "warning",
        file: item.source.file,
        line: item.source.line,
        ...(item.source.column ? { column: item.source.column } : {}),
        message: `"read first" links ${target}, which does not exist`,
        hint: `create it (\`worksite init --with ${companionName(target) ?? "runbook"}\` scaffolds the companion files) or remove the line`,
      });
    }
  }
  return out;
}

function companionName(target: string): string | undefined {
  return /^(runbook|inventory|env-map|backup|security)\.md$/.exec(target)?.[1];
}
