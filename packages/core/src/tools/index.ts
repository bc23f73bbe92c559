import type { Plugin } from "../plugin/types.js";
import { filePlugin } from "./file.js";
import { shellPlugin } from "./shell.js";

export { filePlugin, fileList, fileRead, fileWrite } from "./file.js";
export { shellPlugin, shellRun, runProcess } from "./shell.js";
export { confine, confineWrite, type Confined } from "./confine.js";
export { parseCommandLine, type ParsedCommand } from "./command-line.js";
export { unifiedDiff } from "./line-diff.js";

/** The built-in tools: `shell.run`, `file.read`, `file.list`, `file.write`. */
export function corePlugins(): Plugin[] {
  return [shellPlugin, filePlugin];
}
