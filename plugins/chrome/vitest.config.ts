import { defineProject, mergeConfig } from "vitest/config";
import { sharedProject } from "../../vitest.shared.js";

export default mergeConfig(
  sharedProject,
  defineProject({
    test: {
      name: "chrome",
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      testTimeout: 60000,
      hookTimeout: 60000,
    },
  }),
);
