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
  ssr: { resolve: { conditions: ["source"], externalConditions: ["source"] } },
} satisfies UserConfig;
