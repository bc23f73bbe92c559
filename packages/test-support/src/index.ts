export { tempDir, tempDirSync, tempDirWith } from "./temp-dir.js";
