// Bundles the package's entry point with the MCP SDK and what it imports (ajv, zod-to-json-schema) into
// dist/bundle/, which package.json names. Run after `tsc -b` (the package's build script and the test suite's
// global setup do); what is kept outside and why (zod above all: one copy per process): scripts/bundle-package.mjs.
//
// Why (issue 13 item 4, bench/playwright-mcp/PROFILE.md "Cold start"): the SDK with ajv and zod-to-json-schema
// was ~125 files on `worksite mcp`'s cold-start path, each resolved, read and compiled on its own.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { rolldown } from "rolldown";
import { bundlePackage } from "../../../scripts/bundle-package.mjs";

await bundlePackage(join(dirname(fileURLToPath(import.meta.url)), ".."), {
  rolldown,
  inline: ["@modelcontextprotocol/sdk"],
  // The Streamable HTTP transport (and its web framework) loads with `worksite mcp --http` only.
  lazy: /[\\/]sdk[\\/]dist[\\/]esm[\\/]server[\\/](streamableHttp|webStandardStreamableHttp)\.js|[\\/]node_modules[\\/](@hono|hono|express)[\\/]/,
});
