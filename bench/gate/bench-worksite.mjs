/*
 * The gate benches' worksite: a throwaway folder with THREAD.md, GOAL.md and a PERMISSIONS.md of `rules` rules,
 * `src/a.txt` to read and `out/` to write, and a gate over it with the bench plugin and the core plugins.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** PERMISSIONS.md with `count` rules; the two the bench's calls match come last, so every rule is looked at. */
function permissions(count) {
  const filler = Array.from({ length: count - 2 }, (_, i) =>
    i % 2 ? `- \`bench.look(docs/area-${i}/**)\`` : `- \`bench.touch(build/area-${i}/**)\``,
  );
  return `# Permissions\n\n## Allow\n${filler.join("\n")}\n- \`bench.look(src/**)\`\n- \`bench.touch(out/**)\`\n`;
}

/** `core`: the module of the code under test (this checkout's, or BENCH_BASE's); `plugin`: a benchPlugin(). */
export async function benchWorksite(core, { rules, plugin }) {
  const root = await mkdtemp(join(tmpdir(), "worksite-bench-gate-"));
  await mkdir(join(root, "src"));
  await mkdir(join(root, "out"));
  await writeFile(join(root, "THREAD.md"), "---\nstage: write\n---\n# bench\n");
  await writeFile(join(root, "GOAL.md"), "## Goal\nmeasure\n");
  await writeFile(join(root, "PERMISSIONS.md"), permissions(rules));
  await writeFile(join(root, "src", "a.txt"), "const answer = 42;\n".repeat(20));
  const audit = core.openAuditLog(join(root, ".worksite", "audit.jsonl"));
  const gate = core.createGate({
    root,
    worksite: await core.loadWorksite(root),
    plugins: [plugin, ...core.corePlugins()],
    audit,
    actor: "agent",
    run: "bench",
    round: 1,
  });
  return { root, audit, gate };
}
