import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { UserError } from "@worksite/core";
import { defaultPackageName, SKILL_KEYWORD } from "./package-info.js";
import { isSkillName, suggestName } from "./skill-format.js";
import { templateDescription } from "./template-text.js";

export interface ScaffoldOptions {
  /** The folder whose skills/ receives the new skill (the worksite root). */
  root: string;
  /** npm package name; default `worksite-skill-<name>`. */
  packageName?: string;
  description?: string;
}

export function skillTemplate(name: string, description: string): string {
  return `---
name: ${name}
description: >-
  ${description}
license: MIT
---

# ${name}

What this skill is for, in two or three sentences a person and a model can both follow.

## When to use

- keywords: ${name.replace(/-/g, " ")}
- files: src/**
- events: manual

## Steps

The script agent runs these tool calls in order; \`{{name}}\` values come from the round.

\`\`\`yaml
- id: read-input
  tool: file.read
  input:
    path: "{{path}}"
- id: run-check
  tool: shell.run
  input:
    command: "npm test"
\`\`\`

## Failure modes

- The file does not exist → say which path was given and stop; do not create it.
- The check fails → attach its output as evidence and report the first failing case.

## Done when

- The check passes and its output is saved as evidence.
`;
}

/** Writes skills/NAME/ with a SKILL.md in the Agent Skills format (worksite sections included), a package.json ready to publish and a CHANGELOG.md. */
export async function scaffoldSkill(name: string, options: ScaffoldOptions): Promise<{ dir: string; files: string[] }> {
  if (!isSkillName(name))
    throw new UserError(`"${name}" is not a skill name`, {
      hint: `use lowercase letters, digits and single hyphens, e.g. ${suggestName(name)}`,
    });
  const dir = join(resolve(options.root), "skills", name);
  if (existsSync(dir))
    throw new UserError(`skills/${name} already exists`, { hint: "pick another name, or edit the existing skill" });
  const description = options.description ?? templateDescription(name);
  const pkg = {
    name: options.packageName ?? defaultPackageName(name),
    version: "0.1.0",
    description: description.slice(0, 200),
    license: "MIT",
    keywords: [SKILL_KEYWORD, "agent-skill"],
    worksite: { skill: "./SKILL.md" },
    // No "files" list: a skill's SKILL.md links to files anywhere in its folder (FORMS.md, examples/),
    // and a list would silently leave new ones out of the package. .npmignore is the place to exclude.
  };
  await mkdir(join(dir, "scripts"), { recursive: true });
  await mkdir(join(dir, "references"), { recursive: true });
  const files = {
    "SKILL.md": skillTemplate(name, description),
    "package.json": `${JSON.stringify(pkg, null, 2)}\n`,
    "CHANGELOG.md": `# ${pkg.name}\n`,
    "references/README.md": `Reference material for ${name}: loaded only when the agent asks for it (skill.read).\n`,
  };
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  return { dir, files: Object.keys(files) };
}
