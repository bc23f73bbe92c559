import { relative } from "node:path";
import { UserError } from "@worksite/core";
import { scaffoldSkill } from "@worksite/skills";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";

export default defineCommand({
  name: "skill new",
  usage: "skill new NAME [--package NPM-NAME] [--description TEXT]",
  summary: "create skills/NAME/ with a SKILL.md (Agent Skills format plus worksite's sections) and a package.json ready to publish",
  options: {
    package: { type: "string", description: "npm package name (default worksite-skill-NAME)" },
    description: { type: "string", description: "what the skill does and when to use it" },
  },
  async run(args, io) {
    const name = args.positionals[0];
    if (!name) throw new UserError("the skill needs a name", { hint: "worksite skill new NAME (lowercase letters, digits and hyphens)" });
    // Outside a worksite (a repository of skills, say) the new skill goes under ./skills/.
    let root = io.cwd;
    try {
      root = findWorksite(args, io);
    } catch (error) {
      if (typeof args.options.worksite === "string" || !UserError.isUserError(error)) throw error;
    }
    const made = await scaffoldSkill(name, {
      root,
      ...(typeof args.options.package === "string" ? { packageName: args.options.package } : {}),
      ...(typeof args.options.description === "string" ? { description: args.options.description } : {}),
    });
    const where = relative(io.cwd, made.dir) || ".";
    if (args.options.json) io.stdout(`${JSON.stringify({ name, dir: where, files: made.files })}\n`);
    else
      io.stdout(
        [
          `created ${where}/ (${made.files.join(", ")})`,
          `next: write the description, When to use, Steps and Done when in ${where}/SKILL.md,`,
          `      then: worksite skill check ${where} && worksite skill pack ${name}`,
          "",
        ].join("\n"),
      );
    return 0;
  },
});
