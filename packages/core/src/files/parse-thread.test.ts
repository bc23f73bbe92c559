import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../errors.js";
import { parseThread, safeParseThread } from "./parse-thread.js";

const opts = { file: "THREAD.md" };
function errorsOf(text: string): string[] {
  const result = safeParseThread(text, opts);
  if (result.ok) throw new Error("expected errors, got none");
  return result.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic);
}

describe("THREAD.md", () => {
  it("defaults to stage write, no plugins and no wake when the file has no settings", () => {
    const thread = parseThread("## Owns\n- the docs\n", opts);
    expect(thread).toMatchObject({ stage: "write", plugins: [], owns: [{ text: "the docs" }] });
    expect(thread.wake).toBeUndefined();
  });

  it("reads how the Chrome plugin reaches Chrome, and says what is wrong with FILE:LINE", () => {
    const t = parseThread("---\nplugins: [chrome]\nchrome: { browserUrl: http://127.0.0.1:9222 }\n---\n", opts);
    expect(t.chrome).toMatchObject({ browserUrl: "http://127.0.0.1:9222", line: 3 });
    expect(errorsOf("---\nchrome: { browserUrl: http://127.0.0.1:9222, autoConnect: /p }\n---\n").join("\n")).toContain(
      "THREAD.md:2",
    );
    expect(errorsOf("---\nchrome: { port: 9222 }\n---\n").join("\n")).toMatch(/THREAD\.md:2.*port/);
  });

  it("reads how long a Chrome call waits for the extension, in whole seconds", () => {
    expect(parseThread("---\nchrome: { connectSeconds: 45 }\n---\n", opts).chrome).toMatchObject({
      connectSeconds: 45,
    });
    expect(errorsOf("---\nchrome: { connectSeconds: 0 }\n---\n").join("\n")).toContain("THREAD.md:2");
  });

  it("reads an agent given as a kind or as an object, and memory given as a path", () => {
    const t = parseThread(
      "---\nagent: { kind: command, command: codex exec }\nmemory: notes\nplugins: browser\nwake: 0 9 * * 1-5\n---\n",
      opts,
    );
    expect(t).toMatchObject({
      agent: { kind: "command", command: "codex exec" },
      memory: { path: "notes" },
      plugins: ["browser"],
      wake: "0 9 * * 1-5",
    });
  });

  it("reports a bad stage, a bad wake and an unknown key all at once, each at its line", () => {
    const errors = errorsOf("---\nstage: publish\nwake: every tuesday\nplugin: [browser]\n---\n## Owns\n- x\n");
    expect(errors).toEqual([
      expect.stringMatching(
        /^THREAD\.md:2:1: error: setting `stage`: expected monitor, draft or write\n {2}hint: stage is one of/,
      ),
      expect.stringMatching(/^THREAD\.md:3:1: error: setting `wake`: .*\n {2}hint: use an interval such as `30m`/),
      expect.stringMatching(/^THREAD\.md:4:1: error: unknown setting `plugin`\n {2}hint: did you mean `plugins`\?/),
    ]);
  });

  it("reports an unknown nested key with a did-you-mean", () => {
    expect(errorsOf("---\nmemory:\n  path: memory\n  autoaccept: true\n---\n")).toEqual([
      expect.stringMatching(
        /^THREAD\.md:4:3: error: unknown setting `memory\.autoaccept`\n {2}hint: did you mean `autoAccept`\?/,
      ),
    ]);
  });

  it("reports bad YAML at the line and column where the reader stopped", () => {
    expect(errorsOf("---\nstage: draft\n  wake: 30m\n---\n")[0]).toMatch(
      /^THREAD\.md:3:\d+: error: the settings \(YAML\) cannot be read/,
    );
  });

  it("reports an unclosed [ at the line of its key, not where the reader noticed it", () => {
    // Last setting: the reader notices only at the closing ---.
    expect(errorsOf("---\nplugins: [browser]\nwake: 30m\nstage: [draft\n---\n## Owns\n- x\n")).toEqual([
      expect.stringMatching(
        /^THREAD\.md:4:8: error: the value of `stage` is not valid YAML \(an unclosed `\[`\?\)\n {2}hint: close it with `\]`, e\.g\. `stage: \[draft\]`/,
      ),
    ]);
    // Followed by another setting: the reader notices at the start of the next line.
    expect(errorsOf("---\nstage: draft\nplugins: [browser\n\nwake: 30m\n---\n")).toEqual([
      expect.stringMatching(/^THREAD\.md:3:10: error: the value of `plugins` is not valid YAML \(an unclosed `\[`\?\)/),
    ]);
    expect(errorsOf("---\nagent: { kind: script\nstage: draft\n---\n")).toEqual([
      expect.stringMatching(/^THREAD\.md:2:8: error: the value of `agent` is not valid YAML \(an unclosed `\{`\?\)/),
    ]);
    expect(errorsOf('---\nmemory:\n  path: "notes\nstage: draft\n---\n')[0]).toMatch(
      /^THREAD\.md:3:9: error: the value of `memory\.path` is not valid YAML \(an unclosed `"`\?\)/,
    );
  });

  it("reports a settings block that is never closed", () => {
    expect(errorsOf("---\nstage: draft\n## Owns\n")).toEqual([
      expect.stringMatching(/^THREAD\.md:1:1: error: the settings block opened with --- on line 1 is never closed/),
    ]);
  });

  it("refuses frontmatter that asks to run JavaScript", () => {
    expect(safeParseThread("---js\n{ stage: (globalThis.pwned = 1, 'draft') }\n---\n", opts).ok).toBe(true);
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
  });

  it("warns about an unknown section instead of silently dropping it", () => {
    const result = safeParseThread("## Owns\n- a\n## Budget\n- b\n", opts);
    expect(result.ok && result.warnings[0]).toMatchObject({
      line: 3,
      severity: "warning",
      message: 'unknown section "Budget" is ignored',
    });
  });

  it("keeps true file lines for items after CRLF line endings and a BOM", () => {
    const t = parseThread("\ufeff---\r\nstage: draft\r\n---\r\n\r\n负责：\r\n- 文档\r\n", opts);
    expect(t.owns).toEqual([{ text: "文档", source: { file: "THREAD.md", line: 6, column: 3 } }]);
  });
});

describe("THREAD.md plugins: names packages", () => {
  const opts = { file: "THREAD.md" };
  it("refuses a path or a file name with its line, and says how to trust a local plugin file", () => {
    const result = safeParseThread(
      "---\nplugins:\n  - browser\n  - ./evil.mjs\n  - /abs/evil.mjs\n  - Evil\n---\n",
      opts,
    );
    expect(result.ok).toBe(false);
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => [d.line, d.message])).toEqual([
      [4, "plugin `./evil.mjs` is a path; plugins: names npm packages"],
      [5, "plugin `/abs/evil.mjs` is a path; plugins: names npm packages"],
      [6, "plugin `Evil` is not a package name; plugins: names npm packages"],
    ]);
    expect(errors[0]!.hint).toContain('{ path: "./evil.mjs", trust: local }');
  });

  it("takes a local plugin file only as { path, trust: local }, with where it was written", () => {
    const t = parseThread("---\nplugins:\n  - browser\n  - { path: ./plugins/mine.mjs, trust: local }\n---\n", opts);
    expect(t.plugins).toEqual(["browser"]);
    expect(t.localPlugins).toEqual([
      { path: "./plugins/mine.mjs", trust: "local", source: { file: "THREAD.md", line: 4, column: 3 } },
    ]);
    const untrusted = safeParseThread("---\nplugins: [{ path: ./plugins/mine.mjs }]\n---\n", opts);
    expect(untrusted.ok).toBe(false);
  });
});
