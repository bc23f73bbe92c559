import { defineProject, mergeConfig } from "vitest/config";
import { sharedProject } from "../../vitest.shared.js";

export default mergeConfig(
  sharedProject,
  defineProject({
    // The inlined SDK ships sourcemaps pointing at sources it does not ship: one warning per file otherwise.
    logLevel: "error",
    test: {
      name: "mcp",
      include: ["src/**/*.test.ts"],
      testTimeout: 30000,
      // The "source" condition also picks eventsource-parser's raw .ts (imported by the SDK's HTTP
      // client); inlining both lets vite transform it instead of Node failing to load it.
      server: { deps: { inline: ["eventsource-parser", "@modelcontextprotocol/sdk"] } },
    },
  }),
);
