import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDirSync } from "@worksite/test-support";
import { parsePermissions } from "../files/parse-permissions.js";
import { modeOf } from "./decide-query.js";
import { pathRuleMatches, resolvePath } from "./match-path.js";
import { pathRuleIndex } from "./path-index.js";
import { createPolicy } from "./policy.js";
import type { Tier } from "./types.js";

/*
 * The index only narrows which path rules a call tests; a decision must be the one every rule tested would
 * give. Each case here is a way the narrowing could drop a rule that matches.
 */
const root = tempDirSync("worksite-path-index-");
mkdirSync(join(root, "src", "deep"), { recursive: true });
mkdirSync(join(root, "secrets"));
writeFileSync(join(root, "secrets", "key"), "");
symlinkSync(join(root, "secrets"), join(root, "src", "to-secrets"));
symlinkSync(join(root, "secrets"), join(root, "Innocent"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const PATTERNS = [
  "src/**",
  "Src/**",
  "src",
  "src/*.ts",
  "src/deep/**",
  "secrets/**",
  "SECRETS",
  "Keys/**",
  "docs/**",
  "*.md",
  "**/*.env",
  "**",
  "{src,lib}/**",
  "s*/**",
  "./src/**",
  "src//deep/**",
  "src\\deep\\**",
  "café/**",
  "cafe\u0301/**",
  "/etc/**",
  "/tmp/**",
  `${root}/secrets/**`,
  "~/**",
  "[ab]/**",
  "a{b/**",
];
const TARGETS = [
  "src/a.ts",
  "SRC/a.ts",
  "src",
  "src/deep/x",
  "src/to-secrets/key",
  "Innocent/key",
  "secrets/key",
  "SeCrEtS/key",
  "\u017Fecrets/key", // long s: equal to `s` when case is ignored
  "\u212Aeys/x", // the Kelvin sign: equal to `k` when case is ignored
  "keys/x",
  "docs/readme.md",
  "readme.md",
  "a/.env",
  "lib/x",
  "café/menu",
  "cafe\u0301/menu",
  "CAFÉ/menu",
  "/etc/passwd",
  `${root}/secrets/key`,
  "/tmp/x",
  "",
  ".",
  "b/x",
  "a{b/x",
];
const TIERS: Tier[] = ["allow", "read-only", "draft", "confirm", "forbidden"];

function rulesFile(patterns: string[], tierOf: (i: number) => Tier): string {
  const sections = TIERS.map((tier) => {
    const lines = patterns.filter((_, i) => tierOf(i) === tier).map((p) => `- \`file.write(${p})\``);
    const heading = {
      allow: "Allow",
      "read-only": "Read-only",
      draft: "Draft",
      confirm: "Confirm",
      forbidden: "Forbidden",
    }[tier];
    return lines.length ? `## ${heading}\n${lines.join("\n")}\n` : "";
  });
  return `# Permissions\n\n${sections.join("\n")}`;
}

describe("path rules indexed by their first segment", () => {
  for (const [name, tierOf] of [
    ["every rule allow", () => "allow" as Tier],
    ["every rule forbidden", () => "forbidden" as Tier],
    ["tiers mixed", (i: number) => TIERS[i % TIERS.length]!],
  ] as const)
    it(`offers every rule that matches, for every target (${name})`, () => {
      const permissions = parsePermissions(rulesFile(PATTERNS, tierOf), { file: "PERMISSIONS.md", root });
      const index = pathRuleIndex(permissions.rules);
      for (const target of TARGETS) {
        const path = resolvePath(target, root);
        const matches = (r: (typeof permissions.rules)[number]) =>
          !r.specifier || pathRuleMatches(r.specifier, path, modeOf(r));
        expect({ target, matched: index.candidates(path).filter(matches) }).toEqual({
          target,
          matched: index.all.filter(matches),
        });
      }
    });

  it("refuses a forbidden folder spelt with a long s or in capitals among 2,000 allow rules", () => {
    const filler = Array.from({ length: 2_000 }, (_, i) => `file.write(area-${i}/**)`);
    const text = `# Permissions\n\n## Allow\n${filler.map((r) => `- \`${r}\``).join("\n")}\n- \`file.write(**)\`\n\n## Forbidden\n- \`file.write(secrets/**)\`\n`;
    const policy = createPolicy(parsePermissions(text, { file: "PERMISSIONS.md", root }), { root, stage: "write" });
    const decide = (target: string) =>
      policy.decide({ tool: "file.write", target, effect: "write", targetKind: "path" });
    for (const target of ["secrets/key", "SECRETS/key", "\u017Fecrets/key", "src/to-secrets/key", "Innocent/key"])
      expect({ target, tier: decide(target).tier }).toEqual({ target, tier: "forbidden" });
    expect(decide("area-1999/x").tier).toBe("allow");
    expect(decide("area-1999/x").reason).toContain("strictest of 2 matching rules");
  });

  it("tests a call against the rules its path can match, not all 2,000", () => {
    const filler = Array.from({ length: 2_000 }, (_, i) => `- \`file.write(area-${i}/**)\``);
    const permissions = parsePermissions(`# Permissions\n\n## Allow\n${filler.join("\n")}\n- \`file.write\`\n`, {
      file: "PERMISSIONS.md",
      root,
    });
    const offered = pathRuleIndex(permissions.rules).candidates(resolvePath("area-7/x", root));
    expect(offered.map((r) => r.text)).toEqual(["file.write(area-7/**)", "file.write"]);
  });
});
