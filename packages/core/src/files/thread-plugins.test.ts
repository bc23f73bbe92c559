import { describe, expect, it } from "vitest";
import { safeParseThread } from "./parse-thread.js";
import { threadPluginNames } from "./thread-plugins.js";

// The early start reads THREAD.md's plugins without the schema (no zod); it must name what the full parse names,
// and nothing where the full parse refuses the list.
describe("the plugins THREAD.md names, read before zod loads", () => {
  const file = "THREAD.md";
  it("are the package names the full parse gives, local plugin files aside", () => {
    for (const text of [
      "---\nplugins: [browser]\n---\n# T\n",
      '---\nplugins:\n  - browser\n  - "@acme/worksite-plugin-x"\n---\n# T\n',
      "\ufeff---\r\nplugins: [browser, chrome]\r\nstage: draft\r\n---\r\n# T\r\n",
      "---\nplugins: [browser, { path: ./local.mjs, trust: local }]\n---\n# T\n",
      "---\nplugins: browser\n---\n# One alone\n",
      "---\nstage: write\n---\n# No plugins\n",
      "# No settings at all\n",
    ]) {
      const full = safeParseThread(text, { file });
      expect(full.ok, text).toBe(true);
      expect(threadPluginNames(text, file), text).toEqual(full.ok ? full.value.plugins : undefined);
    }
  });

  it("are none where the full parse refuses the settings or a name in the list", () => {
    for (const text of [
      "---\nplugins: [x\n---\n# Broken YAML\n",
      "---\nplugins: [../../evil]\n---\n# A path\n",
      "---\nplugins: [./evil.mjs]\n---\n# A file\n",
      "---\nplugins: 42\n---\n# Not a name\n",
      "---\nplugins: [browser]\n# Never closed\n",
    ]) {
      expect(safeParseThread(text, { file }).ok, text).toBe(false);
      expect(threadPluginNames(text, file), text).toBeUndefined();
    }
  });
});
