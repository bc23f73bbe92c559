import { defineProject } from "vitest/config";
import { buildOnce, personFolders } from "../../vitest.shared.js";

export default defineProject({
  // The runs here are the built `worksite` binary: the global setup builds it first.
  test: {
    name: "e2e-stopping",
    include: ["*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    setupFiles: [personFolders],
    globalSetup: [buildOnce],
  },
});
