import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";

function worksite(stage = "write"): Promise<string> {
  return tempWorksite(
    {
      "src/": "",
      "THREAD.md": `---\nstage: ${stage}\n---\n# Explain test\n\n## Owns\n- src/\n`,
      "GOAL.md": "## Goal\nKeep src tidy.\n",
      "PERMISSIONS.md": [
        "# Permissions",
        "",
        "## Allow",
        "- `shell.run(npm test)`",
        "- `browser.open(https://*.example.com/**)`",
        "",
        "## Forbidden",
        "- `shell.run(rm -rf)`",
        "",
      ].join("\n"),
    },
    "worksite-explain-",
  );
}

const explain = (root: string, ...argv: string[]) =>
  runCli(["permissions", "explain", ...argv, "-w", root], root, process.env);

describe("worksite permissions explain", () => {
  it("prints the tier, the deciding rule as PERMISSIONS.md:LINE and the reason", async () => {
    const root = await worksite();
    const r = await explain(root, "shell.run", "npm test && rm -rf /");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/tier\s+forbidden/);
    expect(r.out).toContain("PERMISSIONS.md:8  `shell.run(rm -rf)`");
    expect(r.out).toMatch(/reason\s+.*rm -rf \//);
  });

  it("shows the floor for a write to a control path, even where a rule allows every write", async () => {
    const root = await tempWorksite(
      {
        "THREAD.md": "# t\n",
        "GOAL.md": "## Goal\nx\n",
        "PERMISSIONS.md": "# Permissions\n\n## Allow\n- `file.write(**)`\n",
      },
      "worksite-explain-floor-",
    );
    const r = await explain(root, "file.write", "PERMISSIONS.md");
    expect(r.out).toMatch(/tier\s+forbidden/);
    expect(r.out).toContain("(the floor: no rule, stage or approval can lower it)");
    expect(r.out).toMatch(
      /reason\s+file\.write PERMISSIONS\.md: PERMISSIONS\.md is the person's contract .*A person edits it by hand/,
    );
    expect(JSON.parse((await explain(root, "file.write", "src/sub/.git/config", "--json")).out)).toMatchObject({
      tier: "forbidden",
      by: "floor",
      rule: null,
    });
  });

  it("--json prints tier, rule and reason", async () => {
    const root = await worksite();
    const r = await explain(root, "shell.run", "npm test -- --watch", "--json");
    const out = JSON.parse(r.out);
    expect(out).toMatchObject({
      tier: "allow",
      rule: { file: "PERMISSIONS.md", line: 4, text: "shell.run(npm test)" },
      effect: "external",
      targetKind: "command",
    });
    expect(out.reason).toContain("PERMISSIONS.md:4");
  });

  it("answers for a tool that is not loaded, inferring its effect and reading the target by the rule's kind", async () => {
    const root = await worksite();
    const allowed = JSON.parse((await explain(root, "browser.open", "https://APP.example.com./x", "--json")).out);
    expect(allowed).toMatchObject({
      tier: "allow",
      effect: "external",
      effectFrom: "inferred from the name",
      targetKind: "url",
    });
    const dodged = JSON.parse((await explain(root, "browser.open", "https://app.example.com@evil.com/", "--json")).out);
    expect(dodged.tier).toBe("confirm");
    expect(dodged.rule).toBeNull();
    const read = JSON.parse((await explain(root, "browser.snapshot", "--json")).out);
    expect(read).toMatchObject({ tier: "read-only", effect: "read", by: "default" });
  });

  it("shows the stage clamp, and --stage asks about another stage", async () => {
    const root = await worksite("draft");
    const r = JSON.parse((await explain(root, "shell.run", "npm test", "--json")).out);
    expect(r).toMatchObject({ tier: "draft", clamped: true, stage: "draft" });
    expect(JSON.parse((await explain(root, "shell.run", "npm test", "--stage", "write", "--json")).out).tier).toBe(
      "allow",
    );
  });

  it("refuses an unknown --effect with a hint, and a missing tool", async () => {
    const root = await worksite();
    const bad = await explain(root, "x.y", "--effect", "loud");
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("--effect must be one of read, write, external");
    expect((await explain(root)).err).toContain("which tool?");
  });

  it("never prints a password from the target's URL, in text or JSON, yet decides on the real URL", async () => {
    const root = await worksite();
    const url = "https://deploy:hunter2secret@app.example.com/x";
    const text = await explain(root, "browser.open", url);
    expect(text.code).toBe(0);
    expect(text.out).toContain("https://deploy:");
    expect(text.out).not.toContain("hunter2secret");
    const json = await explain(root, "browser.open", "https://user:pass@app.example.com/x", "--json");
    expect(json.out).not.toContain("pass@");
    expect(JSON.parse(json.out)).toMatchObject({ target: "https://user:***@app.example.com/x", tier: "allow" });
  });
});

describe("worksite permissions explain without the plugin's implementation", () => {
  it("knows a browser tool's effect and target from the plugin's manifest when the plugin itself cannot be imported (puppeteer missing)", async () => {
    const manifest = await readFile(new URL("../../../../plugins/browser/manifest.json", import.meta.url), "utf8");
    const root = await tempWorksite(
      {
        "THREAD.md": "---\nstage: write\nplugins: [browser]\n---\n# Explain test\n",
        "GOAL.md": "## Goal\nx\n",
        "PERMISSIONS.md": "# Permissions\n\n## Allow\n- `browser.open(https://*.example.com/**)`\n",
        "node_modules/@worksite/plugin-browser/package.json": JSON.stringify({
          name: "@worksite/plugin-browser",
          version: "9.9.9",
          type: "module",
          main: "index.js",
          worksite: { manifest: "./manifest.json" },
        }),
        // What importing the plugin does on a machine without puppeteer-core: explain must never get here.
        "node_modules/@worksite/plugin-browser/index.js":
          "throw new Error(\"Cannot find package 'puppeteer-core' imported from the browser plugin\");\n",
        "node_modules/@worksite/plugin-browser/manifest.json": manifest,
      },
      "worksite-explain-manifest-",
    );
    const opened = await explain(root, "browser.open", "https://app.example.com/");
    expect(opened.code).toBe(0);
    expect(opened.out).toMatch(/tier\s+allow/);
    // browser.open's name alone would say "external": only the tool's own declaration says read.
    expect(opened.out).toContain("effect read (the tool)");
    const evaluated = await explain(root, "browser.evaluate", "https://app.example.com/", "--json");
    expect(JSON.parse(evaluated.out)).toMatchObject({ effect: "external", effectFrom: "the tool", targetKind: "url" });
  });
});
