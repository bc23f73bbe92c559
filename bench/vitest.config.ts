import { defineProject } from "vitest/config";

// Only the results writer is tested here; the benches themselves are run by hand (`pnpm bench`), never by the suite.
export default defineProject({
  test: { name: "bench", include: ["*.test.ts"] },
});
