import type { z } from "zod";
import type { Plugin, ToolDefinition } from "./types.js";

/** Identity helpers: they only give the object its type. No registration happens here. */
export function defineTool<Input extends z.ZodType>(tool: ToolDefinition<Input>): ToolDefinition<Input> {
  return tool;
}

export function definePlugin<P extends Plugin>(plugin: P): P {
  return plugin;
}
