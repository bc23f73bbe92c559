import { describe, expect, it } from "vitest";
import { INDEX_MAX_LINES, type IndexRow, renderIndex } from "./index-file.js";

/** MEMORY.md as it was rendered before issue 13: every row sorted (stably, by the collator), then cut. */
function byFullSort(entries: readonly IndexRow[]): string {
  const collator = new Intl.Collator();
  const listed = entries.filter((e) => e.meta.status !== "superseded").sort((a, b) => collator.compare(a.id, b.id));
  const head = [
    "# Memory",
    "",
    "<!-- Generated from each entry's description by worksite. Edit the entries, not this file. -->",
  ];
  const body: string[] = [];
  let topic: string | undefined;
  for (const e of listed) {
    if (e.topic !== topic) {
      topic = e.topic;
      body.push("", `## ${topic}`, "");
    }
    const mark = e.meta.status === "conflicted" ? " (conflicted: needs review)" : "";
    body.push(`- [${e.meta.name}](${e.file}) — ${e.meta.description}${mark}`);
  }
  let lines = [...head, ...body];
  if (lines.length > INDEX_MAX_LINES) {
    const kept = lines.slice(0, INDEX_MAX_LINES - 2);
    const shown = kept.filter((l) => l.startsWith("- [")).length;
    lines = [...kept, "", `… and ${listed.length - shown} more entries: run \`worksite memory list\`.`];
  }
  return `${lines.join("\n")}\n`;
}

function row(topic: string, name: string, status: IndexRow["meta"]["status"] = "active"): IndexRow {
  const file = `${topic}/${name}.md`;
  return { id: file.slice(0, -3), file, topic, meta: { name, description: `about ${name}`, status } };
}

// A fixed shuffle, so a failure is the same every run.
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe("MEMORY.md", () => {
  // Names the collator orders apart from their code units (case, accents, digits), some superseded or conflicted.
  const names = [
    "Alpha",
    "alpha",
    "álpha",
    "beta",
    "Beta-2",
    "beta10",
    "beta9",
    "Zed",
    "zed",
    "émile",
    "_under",
    "0-first",
  ];
  const rows = Array.from({ length: 1500 }, (_, i) =>
    row(
      ["Topic", "topic", "tópic", "z"][i % 4]!,
      `${names[i % names.length]}-${i % 37}-${i}`,
      i % 11 === 0 ? "superseded" : i % 13 === 0 ? "conflicted" : "active",
    ),
  );

  it("lists the first entries in id order, whatever order the rows come in", () => {
    for (const seed of [1, 2, 3]) expect(renderIndex(shuffled(rows, seed))).toBe(byFullSort(rows));
    expect(renderIndex([...rows].reverse())).toBe(byFullSort(rows));
  });

  it("keeps rows the collator ranks equal in the order they came, as a stable sort did", () => {
    // Distinct ids that compare equal under the collator (a combining accent spelt two ways).
    const twins = [row("t", "e\u0301"), row("t", "\u00e9"), row("t", "e\u0301"), row("t", "a")];
    twins[2] = { ...twins[2]!, meta: { ...twins[2]!.meta, description: "the second of the same id" } };
    expect(renderIndex(twins)).toBe(byFullSort(twins));
    expect(renderIndex(twins.slice().reverse())).toBe(byFullSort(twins.slice().reverse()));
  });

  it("is whole when the memory is small", () => {
    const few = shuffled(rows.slice(0, 20), 7);
    expect(renderIndex(few)).toBe(byFullSort(few));
    expect(renderIndex(few)).not.toContain("more entries");
  });
});
