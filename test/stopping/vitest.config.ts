import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "e2e-stopping", include: ["*.test.ts"], testTimeout: 300_000, hookTimeout: 120_000 },
});
