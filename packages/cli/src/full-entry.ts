// The plain (unbundled) CLI, which the bundled fast entry hands every other command to: see fast-commands.ts.
export { main } from "./main.js";
