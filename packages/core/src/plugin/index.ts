export * from "./types.js";
export { definePlugin, defineTool } from "./define.js";
