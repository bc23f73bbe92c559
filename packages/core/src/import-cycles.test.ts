import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = dirname(fileURLToPath(import.meta.url));

/** Every module of core (tests left out) and the modules it imports by relative path, types included. */
function importGraph(): Map<string, string[]> {
  const files = readdirSync(src, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && !e.name.endsWith(".d.ts"))
    .map((e) => join(e.parentPath, e.name));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const targets = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"/gms)].map((m) =>
      relative(src, resolve(dirname(file), m[1]!.replace(/\.js$/, ".ts"))),
    );
    graph.set(relative(src, file), targets);
  }
  return graph;
}

/** The first cycle found, as the chain of modules that closes it. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    const at = path.indexOf(node);
    if (at >= 0) return [...path.slice(at), node];
    if (done.has(node)) return undefined;
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(node);
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe("core's modules", () => {
  it("keep the plugin contract and the policy types apart: they share decision.ts, not each other", () => {
    const graph = importGraph();
    expect(graph.get("plugin/types.ts")).not.toContain("policy/types.ts");
    expect(graph.get("policy/types.ts")).not.toContain("plugin/types.ts");
  });

  it("import one another without a cycle", () => {
    expect(findCycle(importGraph())).toBeUndefined();
  });
});
