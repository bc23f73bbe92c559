import { definePlugin, defineTool, UserError } from "@worksite/core";
import { z } from "zod";
import { type DiscoverOptions, discoverSkills } from "./discovery.js";
import { readSkillFile } from "./disclosure.js";

export interface SkillsPluginOptions {
  packageRoots?: string[];
  firstPartyDirs?: string[];
}

/**
 * `skill.list` and `skill.read`: how an agent reaches the second level of
 * progressive disclosure when the round context only named a skill.
 * Both only read; the gate lets them run even in the read-only tier.
 */
export function createSkillsPlugin(options: SkillsPluginOptions = {}) {
  const discover = (worksite: string) => {
    const o: DiscoverOptions = { worksite, relativeTo: worksite };
    if (options.packageRoots) o.packageRoots = options.packageRoots;
    if (options.firstPartyDirs) o.firstPartyDirs = options.firstPartyDirs;
    return discoverSkills(o);
  };

  return definePlugin({
    name: "skill",
    tools: {
      list: defineTool({
        description: "List the skills available in this worksite: name, description and where each comes from",
        effect: "read",
        input: z.object({
          query: z.string().optional().describe("only skills whose name or description contains this"),
        }),
        async run(input, ctx) {
          const { skills } = await discover(ctx.worksite);
          const q = input.query?.toLowerCase();
          const shown = q ? skills.filter((s) => `${s.name} ${s.description}`.toLowerCase().includes(q)) : skills;
          const data = shown.map((s) => ({
            name: s.name,
            description: s.description,
            source: s.source,
            steps: s.sections.steps?.length ?? 0,
            references: s.files.references,
          }));
          const content = shown.length
            ? shown.map((s) => `- ${s.name}: ${s.description.replace(/\s+/g, " ")}`).join("\n")
            : "no skills found";
          return { content, data };
        },
      }),
      read: defineTool({
        description:
          "Read a skill's SKILL.md (its steps, failure modes and done criteria), or any other file in its folder that SKILL.md points to (FORMS.md, references/…, scripts/…)",
        effect: "read",
        input: z.object({
          name: z.string().min(1),
          file: z.string().optional().describe("a path inside the skill, e.g. references/api.md"),
        }),
        target: (input) => `${input.name}${input.file ? `/${input.file}` : ""}`,
        async run(input, ctx) {
          const { skills } = await discover(ctx.worksite);
          const skill = skills.find((s) => s.name === input.name);
          if (!skill)
            throw new UserError(`no skill named ${input.name}`, {
              hint: `known skills: ${skills.map((s) => s.name).join(", ") || "none"}`,
            });
          const text = await readSkillFile(skill, input.file);
          // A skill's files are text someone else may have written: data for the model, never instructions (issue 20).
          return {
            content: ctx.untrusted(text, `skill ${skill.name}, ${input.file ?? "SKILL.md"} (${skill.origin})`),
            data: {
              name: skill.name,
              file: input.file ?? "SKILL.md",
              files: skill.files,
              steps: skill.sections.steps ?? [],
            },
          };
        },
      }),
    },
  });
}

export default createSkillsPlugin();
