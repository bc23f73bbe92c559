// What a command needs to report a mistake, with nothing heavy behind it: `worksite --help` and the
// argument parser load this subpath (`@worksite/core/messages`), not the whole of core (issue 13 item 3).
export * from "./errors.js";
export { sortDiagnostics } from "./files/diagnostics.js";
export { didYouMean } from "./files/did-you-mean.js";
export * from "./text/plural.js";
