import { relative } from "node:path";
import { UserError } from "@worksite/core";
import { scaffoldSkill } from "@worksite/skills";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { suggestCommand } from "../suggest.js";

export default defineCommand({
  name: "skill new",
  usage: "skill new NAME [--package NPM-NAME] [--description TEXT]",
  summary:
    "create skills/NAME/ with a SKILL.md (Agent Skills format plus worksite's sections) and a package.json ready to publish",
  options: {
    package: { type: "string", description: "npm package name (default worksite-skill-NAME)" },
    description: { type: "string", description: "what the skill does and when to use it" },
  },
  async run(args, io) {
    const name = args.positionals[0];
    if (!name)
      throw new UserError("the skill needs a name", {
        hint: "worksite skill new NAME (lowercase letters, digits and hyphens)",
      });
    // Outside a worksite (a repository of skills, say) the new skill goes under ./skills/.
    let root = io.cwd;
    let inWorksite = true;
    try {
      root = findWorksite(args, io);
    } catch (error) {
      if (typeof args.options.worksite === "string" || !UserError.isUserError(error)) throw error;
      inWorksite = false;
    }
    const made = await scaffoldSkill(name, {
      root,
      ...(typeof args.options.package === "string" ? { packageName: args.options.package } : {}),
      ...(typeof args.options.description === "string" ? { description: args.options.description } : {}),
    });
    const where = relative(io.cwd, made.dir) || ".";
    if (args.options.json) io.stdout(`${JSON.stringify({ name, dir: where, files: made.files })}\n`);
    else {
      const path = /\s/.test(where) ? JSON.stringify(where) : where;
      // Lines the person can run from where they stand: by name (with --worksite when needed) in a worksite, by folder outside one.
      const check = suggestCommand(io, root, `skill check ${path}`);
      const pack = suggestCommand(io, root, `skill pack ${inWorksite ? name : path}`);
      io.stdout(
        [
          `created ${where}/ (${made.files.join(", ")})`,
          `next: write the description, When to use, Steps and Done when in ${where}/SKILL.md,`,
          `      then: ${check} && ${pack}`,
          "",
        ].join("\n"),
      );
    }
    return 0;
  },
});
