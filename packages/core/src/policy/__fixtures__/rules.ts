// Builds PermissionsFile objects directly, so policy tests do not depend on the PERMISSIONS.md parser.
import type { PermissionsFile } from "../../files/types.js";
import type { PermissionsDefaults, Rule, Tier } from "../types.js";

let nextLine = 1;

/** `rule("allow", "shell.run(npm test)")` or the space form `rule("allow", "browser.open https://x/**")`. */
export function rule(tier: Tier, text: string, line = nextLine++): Rule {
  const m = /^([^\s(]+)(?:\((.*)\)|\s+(.+))?$/.exec(text.trim());
  if (!m) throw new Error(`bad rule text ${text}`);
  const r: Rule = {
    tier,
    tool: m[1]!,
    text,
    source: { file: "PERMISSIONS.md", line },
    examples: { match: [], notMatch: [] },
  };
  const specifier = m[2] ?? m[3];
  if (specifier !== undefined && specifier.trim() !== "") r.specifier = specifier.trim();
  return r;
}

export function permissions(rules: Rule[], defaults: Partial<PermissionsDefaults> = {}): PermissionsFile {
  return {
    file: "PERMISSIONS.md",
    defaults: { read: "read-only", write: "confirm", external: "confirm", ...defaults },
    rules,
    notes: [],
  };
}

/** Rules by tier, one text per line, like a PERMISSIONS.md laid out by section. */
export function tiers(spec: Partial<Record<Tier, string[]>>, defaults?: Partial<PermissionsDefaults>): PermissionsFile {
  nextLine = 1;
  const rules: Rule[] = [];
  for (const [tier, texts] of Object.entries(spec) as [Tier, string[]][])
    for (const t of texts) rules.push(rule(tier, t));
  return permissions(rules, defaults);
}
