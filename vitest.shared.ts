import { fileURLToPath } from "node:url";
import type { UserConfig } from "vitest/config";

/**
 * Tests import workspace packages from their TypeScript source (the "source"
 * export condition), so a test run never depends on a stale dist/.
 * Tests that spawn real processes from dist/ (the `worksite` binary) get a
 * fresh build from the global setup, which every project lists.
 */
export const sourceConditions: UserConfig["resolve"] = {
  conditions: ["source", "module", "node", "default"],
};

/** Builds the workspace once per run; a failed build fails the run. */
export const buildOnce = fileURLToPath(new URL("./vitest.global-setup.ts", import.meta.url));

/** Every test file gets its own person (seal key, state folder): no test touches the real ones. */
export const personFolders = fileURLToPath(new URL("./vitest.person-folders.ts", import.meta.url));

export const sharedProject = {
  resolve: sourceConditions,
  // Tests never touch the person's real seal key or state folder, and leave no sandbox bridge running.
  test: {
    setupFiles: [personFolders, fileURLToPath(new URL("./vitest.sandbox-teardown.ts", import.meta.url))],
    globalSetup: [buildOnce],
  },
  ssr: { resolve: { conditions: ["source"], externalConditions: ["source"] } },
} satisfies UserConfig;
