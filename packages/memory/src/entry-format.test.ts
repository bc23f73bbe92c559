import { describe, expect, it } from "vitest";
import { parseEntry, serialiseEntry } from "./entry-format.js";

describe("entry format", () => {
  it("writes frontmatter in a stable key order whatever order it was given in", () => {
    const a = serialiseEntry(
      {
        status: "active",
        name: "use-pnpm",
        type: "decision",
        description: "pnpm only",
        zeta: 1,
        tags: ["tooling"],
        source: "person:ann",
        created: "2025-01-01",
        updated: "2025-01-02",
      },
      "Body.",
    );
    const b = serialiseEntry(
      {
        zeta: 1,
        updated: "2025-01-02",
        created: "2025-01-01",
        source: "person:ann",
        tags: ["tooling"],
        description: "pnpm only",
        type: "decision",
        name: "use-pnpm",
        status: "active",
      },
      "Body.",
    );
    expect(a).toBe(b);
    expect(a.split("\n").slice(1, 10)).toEqual([
      "name: use-pnpm",
      "description: pnpm only",
      "type: decision",
      "tags: [tooling]",
      "source: person:ann",
      "created: 2025-01-01",
      "updated: 2025-01-02",
      "status: active",
      "zeta: 1",
    ]);
  });

  it("reads back exactly what it wrote, including awkward strings", () => {
    const meta = {
      name: "odd",
      description: 'has: a colon, # and "quotes"',
      type: "fact",
      tags: ["a", "b-c"],
      scope: "packages/**",
      source: "https://example.test/x?y=1",
      created: "2025-01-01",
      updated: "2025-01-02",
      expires: "2026-01-01",
      confidence: 0.8,
      status: "active",
    };
    const text = serialiseEntry(meta, "Line one.\n\nLine two.");
    const parsed = parseEntry(text, "topic/odd.md");
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.entry.meta).toMatchObject(meta);
    expect(parsed.entry.body).toBe("Line one.\n\nLine two.\n");
    expect(serialiseEntry(parsed.entry.meta, parsed.entry.body)).toBe(text);
  });

  it("names the line of a bad key, and a name that differs from the file name", () => {
    const text =
      "---\nname: other-name\ndescription: d\ntype: opinion\nsource: me\ncreated: 2025-01-01\nupdated: 2025-01-01\n---\nbody\n";
    const parsed = parseEntry(text, "topic/right-name.md");
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 4, message: expect.stringContaining("type") }),
        expect.objectContaining({ line: 2, message: expect.stringContaining('must equal the file name "right-name"') }),
      ]),
    );
  });

  it("reports a file without frontmatter and broken YAML with a line", () => {
    expect(parseEntry("just text\n", "t/x.md")).toMatchObject({ ok: false, problems: [{ line: 1 }] });
    const bad = parseEntry("---\nname: x\ndescription: [unclosed\n---\n", "t/x.md");
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems[0]!.message).toMatch(/not valid YAML/);
  });

  it("reports a bad YAML value at the file line that holds it", () => {
    const bad = parseEntry("---\nname: x\ndescription: a: b: [\ntype: fact\n---\nbody\n", "t/x.md");
    expect(bad).toMatchObject({ ok: false, problems: [{ line: 3, message: expect.stringMatching(/not valid YAML/) }] });
  });
});
