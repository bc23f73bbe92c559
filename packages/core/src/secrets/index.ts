export type * from "./types.js";
export { redactSecrets, scanSecrets } from "./scan.js";
