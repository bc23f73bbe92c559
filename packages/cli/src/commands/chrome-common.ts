import { fileURLToPath, pathToFileURL } from "node:url";
import { UserError } from "@worksite/core";
import { pluginBases, resolvePlugin } from "@worksite/runtime";
import type { CommandIO } from "../io.js";

/** The Chrome plugin as this worksite would load it (installed in the worksite, or beside worksite). */
export async function chromePlugin(root: string, io: CommandIO): Promise<typeof import("@worksite/plugin-chrome")> {
  const file = resolvePlugin("chrome", [...pluginBases(root, io.cwd), fileURLToPath(import.meta.url)]);
  if (!file)
    throw new UserError("@worksite/plugin-chrome is not installed", {
      hint: "install it in the worksite with: npm install @worksite/plugin-chrome, and add chrome to plugins: in THREAD.md",
    });
  return (await import(pathToFileURL(file).href)) as typeof import("@worksite/plugin-chrome");
}
