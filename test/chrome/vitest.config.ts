import { defineProject } from "vitest/config";
import { buildOnce, personFolders, sourceConditions } from "../../vitest.shared.js";

export default defineProject({
  resolve: sourceConditions,
  // The worksite here is driven by the built `worksite` binary: the global setup builds it first.
  test: {
    name: "e2e-chrome",
    include: ["*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    setupFiles: [personFolders],
    globalSetup: [buildOnce],
  },
});
