import { defineProject } from "vitest/config";
import { buildOnce } from "../../vitest.shared.js";

export default defineProject({
  // The demo runs the built `worksite` binary: the global setup builds it first.
  test: {
    name: "e2e-demo",
    include: ["*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globalSetup: [buildOnce],
  },
});
