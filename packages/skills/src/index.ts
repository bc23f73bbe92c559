// The public face of @worksite/skills.
export type * from "./types.js";
export {
  parseSkillMarkdown,
  safeParseSkillMarkdown,
  suggestName,
  isSkillName,
  NAME_PATTERN,
  MAX_NAME,
  MAX_DESCRIPTION,
} from "./skill-format.js";
export type { ParsedSkillMarkdown, ParseSkillOptions, SafeParseResult } from "./skill-format.js";
export { parseSections, splitSections, triggersFromMetadata } from "./sections.js";
export { parseSteps, renderSteps, placeholders, stepVariables, stepSchema, stepsSchema } from "./steps.js";
export { loadSkill, listAllSkillFiles, listSkillFiles } from "./load-skill.js";
export { linkedFiles } from "./linked-files.js";
export type { LoadSkillOptions } from "./load-skill.js";
export { discoverSkills } from "./discovery.js";
export type { DiscoverOptions, Discovery, ShadowedSkill, SkillProblem } from "./discovery.js";
export { matchSkills, triggerReasons } from "./triggers.js";
export type { RoundSignals, TriggerMatch } from "./triggers.js";
export { matchesGlob } from "./glob.js";
export { skillIndex, roundSkillContext, readSkillFile, DEFAULT_INDEX_BUDGET } from "./disclosure.js";
export type { SkillIndex, LoadedSkill, RoundSkillContext, RoundSkillOptions } from "./disclosure.js";
export { packSkill } from "./pack.js";
export type { PackOptions, PackResult } from "./pack.js";
export { addSkill, prepareSkillAdd } from "./add.js";
export type { AddOptions, AddResult, PreparedSkillAdd, SkillInstallPlan, SpecKind } from "./add.js";
export { isValidPackageName } from "@worksite/core";
export { INSTALL_RECORD } from "./install-record.js";
export { scaffoldSkill } from "./scaffold.js";
export type { ScaffoldOptions } from "./scaffold.js";
export {
  declaredSkillPath,
  defaultPackageName,
  nameFromPackage,
  readPackageJson,
  SKILL_KEYWORD,
} from "./package-info.js";
export { createSkillsPlugin } from "./plugin.js";
export type { SkillsPluginOptions } from "./plugin.js";
