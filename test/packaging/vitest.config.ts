import { defineProject } from "vitest/config";
import { buildOnce, personFolders } from "../../vitest.shared.js";

export default defineProject({
  // Packs the built packages: the global setup builds them first.
  test: {
    name: "e2e-packaging",
    include: ["*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    setupFiles: [personFolders],
    globalSetup: [buildOnce],
  },
});
