import { defineProject } from "vitest/config";
import { buildOnce, personFolders, sourceConditions } from "../../vitest.shared.js";

export default defineProject({
  resolve: sourceConditions,
  // The runs here are the built `worksite` binary: the global setup builds it first.
  test: {
    name: "e2e-computer-use",
    include: ["*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    setupFiles: [personFolders],
    globalSetup: [buildOnce],
  },
});
