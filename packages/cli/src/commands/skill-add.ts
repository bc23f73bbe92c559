import { UserError } from "@worksite/core";
import { addSkill } from "@worksite/skills";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { shown } from "./skill-common.js";

export default defineCommand({
  name: "skill add",
  usage: "skill add PACKAGE-OR-TARBALL [--force] [--json]",
  summary: "install a skill package (a .tgz, a folder, or a name npm can fetch) into the worksite's skills/",
  options: { force: { type: "boolean", description: "replace a skill of the same name already in skills/" } },
  async run(args, io) {
    const spec = args.positionals[0];
    if (!spec) throw new UserError("what should be added?", { hint: "worksite skill add ./worksite-skill-demo-0.1.0.tgz, or a package name" });
    const worksite = findWorksite(args, io);
    const { skill, replaced } = await addSkill(spec, { worksite, cwd: io.cwd, force: args.options.force === true, env: io.env });
    const version = skill.package ? `${skill.package.name}@${skill.package.version}` : "";
    if (args.options.json) io.stdout(`${JSON.stringify({ name: skill.name, path: shown(io, skill.dir), package: skill.package ? { name: skill.package.name, version: skill.package.version } : undefined, replaced })}\n`);
    else io.stdout(`${replaced ? "replaced" : "added"} ${skill.name} ${version} in ${shown(io, skill.dir)}\n`);
    return 0;
  },
});
