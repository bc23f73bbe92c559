import { readFile } from "node:fs/promises";
import { manifestText } from "@worksite/core";
import { describe, expect, it } from "vitest";
import { createBrowserPlugin } from "./index.js";

describe("the browser plugin's manifest", () => {
  it("manifest.json lists exactly the tools the plugin has, with their effects, targets and input schemas", async () => {
    const shipped = await readFile(new URL("../manifest.json", import.meta.url), "utf8");
    // When this fails after a tool changed: `pnpm --filter @worksite/plugin-browser build` rewrites manifest.json.
    expect(shipped).toBe(manifestText(createBrowserPlugin()));
  });
});
