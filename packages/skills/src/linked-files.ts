import { existsSync, statSync } from "node:fs";
import { join, normalize } from "node:path";

/**
 * Files and folders of the skill that SKILL.md's body points at: markdown links and images
 * (`[forms](FORMS.md)`, `![x](assets/a.png)`) and code spans naming a path that exists
 * (`` `reference/api.md` ``, `` `scripts/fill.py` ``). Only paths inside the folder that exist
 * are returned (relative, forward slashes, sorted): they are what a pack must not leave out.
 */
export function linkedFiles(body: string, dir: string): string[] {
  const found = new Set<string>();
  const consider = (raw: string) => {
    const target = raw.trim().replace(/^<|>$/g, "").split(/[#?]/)[0]!.trim();
    if (!target || /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("/")) return;
    let decoded: string;
    try {
      decoded = decodeURI(target);
    } catch {
      decoded = target;
    }
    const rel = normalize(decoded).replace(/\\/g, "/").replace(/^\.\//, "");
    if (rel.startsWith("..") || rel === ".") return;
    const abs = join(dir, rel);
    if (!existsSync(abs)) return;
    found.add(statSync(abs).isDirectory() ? rel.replace(/\/$/, "") : rel);
  };
  for (const m of body.matchAll(/!?\[[^\]]*\]\(\s*([^)\s]+)(?:\s+"[^"]*")?\s*\)/g)) consider(m[1]!);
  for (const m of body.matchAll(/`([^`\s]+\.[A-Za-z0-9]+|[^`\s]+\/)`/g)) consider(m[1]!);
  return [...found].sort();
}
