import { describe, expect, it } from "vitest";
import { evidencePath, resolveRelative } from "./evidence.js";
import { renderMarkdown } from "./markdown.js";
import { parseCsv } from "./views/artifacts.js";

describe("which paths the panel serves", () => {
  it("only paths under artifacts/, normalised; nothing that climbs out or names control state", () => {
    expect(evidencePath("artifacts/round-1/a.png")).toBe("artifacts/round-1/a.png");
    expect(evidencePath("artifacts/./round-1/a.png")).toBe("artifacts/round-1/a.png");
    for (const bad of [
      undefined,
      "",
      "/etc/passwd",
      "../x",
      "artifacts/../.worksite/audit.jsonl",
      "artifacts/round-1/../../PROGRESS.md",
      ".worksite/state.json",
      "PERMISSIONS.md",
      "artifacts\\..\\x",
      "artifacts/a\0.png",
      "artifacts",
      "artifacts/",
    ])
      expect(evidencePath(bad), String(bad)).toBeUndefined();
  });

  it("a relative link in an artifact resolves within artifacts/; absolute and schemed links do not", () => {
    expect(resolveRelative("artifacts/round-2/report.md", "screenshot.png")).toBe("artifacts/round-2/screenshot.png");
    expect(resolveRelative("artifacts/round-2/report.md", "../round-1/a.png")).toBe("artifacts/round-1/a.png");
    expect(resolveRelative("artifacts/round-2/report.md", "../../.worksite/x")).toBeUndefined();
    expect(resolveRelative("artifacts/round-2/report.md", "/etc/passwd")).toBeUndefined();
    expect(resolveRelative("artifacts/round-2/report.md", "file:///etc/passwd")).toBeUndefined();
    expect(resolveRelative("artifacts/round-2/report.md", "//evil.example/x.png")).toBeUndefined();
  });
});

describe("agent-made markdown, rendered", () => {
  it("keeps the text and drops every way to run script or leave the page", () => {
    const html = renderMarkdown(
      "# Title\n\n<script>x()</script>\n\n<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1)) [b](data:text/html,hi) [c](https://example.com) [d](artifacts/round-1/r.md)\n\n<iframe src=x></iframe>\n\n![p](http://evil.example/t.png)",
      (link, as) => (as === "image" ? `/raw/${link}` : `/a/${link}`),
    ).html;
    expect(html).toContain("<h1>Title</h1>");
    expect(html).not.toMatch(/<script|onerror|(href|src)="(javascript|data):|<iframe|src="http/i);
    expect(html).toContain('href="/a/artifacts/round-1/r.md"');
    expect(html).toContain('href="https://example.com"');
    expect(html).toContain('rel="noopener noreferrer nofollow"');
  });
});

describe("CSV evidence", () => {
  it("reads quoted fields with commas, doubled quotes and newlines", () => {
    expect(parseCsv('a,b\n"1,2","say ""hi"""\n"multi\nline",x\n')).toEqual([
      ["a", "b"],
      ["1,2", 'say "hi"'],
      ["multi\nline", "x"],
    ]);
  });
});

describe("links in PROGRESS.md", () => {
  it("an audit entry link opens the panel's audit log; a control file is never linked", async () => {
    const { evidenceLinks } = await import("./evidence.js");
    const links = evidenceLinks(0, "PROGRESS.md");
    expect(links(".worksite/audit.jsonl#L12", "link")).toBe("/t/0/audit");
    expect(links("artifacts/round-1/a.md", "link")).toBe("/t/0/artifact?path=artifacts%2Fround-1%2Fa.md");
    expect(links(".worksite/state.json", "link")).toBeUndefined();
    expect(links(".worksite/audit.jsonl", "image")).toBeUndefined();
  });
});

describe("test results in TAP (node --test)", () => {
  it("reads each test's outcome and a failure's details", async () => {
    const { parseTap } = await import("./views/artifacts.js");
    const tests = parseTap(
      "TAP version 13\n# Subtest: counts quantity\nnot ok 1 - counts quantity\n  ---\n  error: |-\n    8 !== 11\n  ...\n# Subtest: empty\nok 2 - empty\n  ---\n  duration_ms: 1\n  ...\nok 3 - later # SKIP not yet\n1..3\n",
    );
    expect(tests.map((t) => [t.name, t.status])).toEqual([
      ["counts quantity", "failed"],
      ["empty", "passed"],
      ["later", "skipped"],
    ]);
    expect(tests[0]!.message).toContain("8 !== 11");
  });
});
