import { fileURLToPath } from "node:url";
import type { UserConfig } from "vitest/config";

/**
 * Tests import workspace packages from their TypeScript source (the "source"
 * export condition), so a test run never depends on a stale dist/.
 * Tests that spawn the real `worksite` binary still need `pnpm build` first;
 * `pnpm test` does that.
 */
export const sourceConditions: UserConfig["resolve"] = {
  conditions: ["source", "module", "node", "default"],
};

export const sharedProject = {
  resolve: sourceConditions,
  // Tests never touch the person's real seal key or state folder.
  test: { setupFiles: [fileURLToPath(new URL("./vitest.person-folders.ts", import.meta.url))] },
  ssr: { resolve: { conditions: ["source"], externalConditions: ["source"] } },
} satisfies UserConfig;
