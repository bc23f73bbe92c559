export { main, resolveCommand } from "./main.js";
export { parseArgv, type OptionsSpec, type ParsedArgv } from "./argv.js";
export { defineCommand, ExitError, type Command } from "./command.js";
export type { CommandIO } from "./io.js";
