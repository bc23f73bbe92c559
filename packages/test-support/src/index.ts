export { filesHolding, filesUnder } from "./files.js";
export { tempDir, tempDirSync, tempDirWith } from "./temp-dir.js";
