import { describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "./test-support/cli-harness.js";
import { version } from "./version.js";

const worksite = () =>
  tempWorksite(
    {
      "THREAD.md": "---\nstage: write\n---\n# t\n## Owns\n- src/\n",
      "GOAL.md": "## Goal\nTidy.\n",
      "PERMISSIONS.md": "# Permissions\n\n## Allow\n- `shell.run(npm test)`\n",
    },
    "worksite-main-",
  );

describe("command groups", () => {
  it("a bare group lists its subcommands with their summaries and exits 1, like the bare top level", async () => {
    const cwd = await worksite();
    for (const group of ["audit", "memory", "permissions", "skill"]) {
      const r = await runCli([group], cwd);
      expect(r.code, group).toBe(1);
      expect(r.err, group).toBe("");
      expect(r.out, group).toContain(`Usage: worksite ${group} <command>`);
    }
    const audit = await runCli(["audit"], cwd);
    expect(audit.out).toMatch(/^ {2}audit tail {4}show the last audit entries/m);
    expect(audit.out).toMatch(/^ {2}audit verify {2}check the audit log's hash chain/m);
    expect(audit.out).not.toContain("memory diff");
  });

  it("`GROUP --help` and `help GROUP` print the same list and exit 0", async () => {
    const cwd = await worksite();
    const help = await runCli(["audit", "--help"], cwd);
    expect(help.code).toBe(0);
    expect(help.out).toContain("audit verify");
    expect(await runCli(["help", "audit"], cwd)).toEqual(help);
    const skill = await runCli(["help", "skill"], cwd);
    expect(skill).toMatchObject({ code: 0 });
    expect(skill.out).toContain("skill check");
  });

  it("`help COMMAND` prints that command's help; an unknown subcommand suggests the nearest one", async () => {
    const cwd = await worksite();
    const tail = await runCli(["help", "audit", "tail"], cwd);
    expect(tail.code).toBe(0);
    expect(tail.out).toContain("Usage: worksite audit tail");
    const typo = await runCli(["audit", "veryfy"], cwd);
    expect(typo.code).toBe(1);
    expect(typo.err).toContain('unknown command "audit veryfy"');
    expect(typo.err).toContain('did you mean "worksite audit verify"?');
    expect((await runCli(["memroy"], cwd)).err).toContain('did you mean "worksite memory"?');
  });
});

describe("global options before the command", () => {
  it("-w DIR and --worksite=DIR before the command words are options, not the command", async () => {
    const root = await worksite();
    const elsewhere = await tempWorksite({}, "worksite-main-cwd-");
    const short = await runCli(["-w", root, "permissions", "explain", "shell.run", "npm test", "--json"], elsewhere);
    expect(short.err).toBe("");
    expect(short.code).toBe(0);
    expect(JSON.parse(short.out)).toMatchObject({ tier: "allow", rule: { line: 4 } });
    const long = await runCli([`--worksite=${root}`, "--json", "audit", "verify"], elsewhere);
    expect(long).toMatchObject({ code: 0, err: "" });
    expect(JSON.parse(long.out)).toMatchObject({ ok: true });
    // The value of -w is never taken for a command, even when it is named like one.
    const named = await runCli(["--worksite", "status", "audit", "verify"], elsewhere);
    expect(named.err).toContain("status is not a worksite");
  });
});

describe("--version and errors under --json", () => {
  it("--version anywhere prints the version", async () => {
    const cwd = await worksite();
    for (const argv of [
      ["--version"],
      ["status", "--version"],
      ["audit", "tail", "--version"],
      ["-w", cwd, "--version"],
    ]) {
      expect(await runCli(argv, cwd), argv.join(" ")).toEqual({ code: 0, out: `${version}\n`, err: "" });
    }
  });

  it("an error under --json is JSON on stdout with the same exit code", async () => {
    const cwd = await worksite();
    const unknown = await runCli(["stauts", "--json"], cwd);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toBe("");
    expect(JSON.parse(unknown.out)).toEqual({
      ok: false,
      error: 'unknown command "stauts"',
      hint: 'did you mean "worksite status"?',
      diagnostics: [],
    });

    const badOption = await runCli(["audit", "tail", "--jsno", "--json"], cwd);
    expect(badOption.code).toBe(1);
    expect(JSON.parse(badOption.out)).toMatchObject({
      ok: false,
      error: "unknown option --jsno",
      hint: "did you mean --json?",
    });

    const broken = await tempWorksite({ "THREAD.md": "---\nstage: publish\n---\n" }, "worksite-main-bad-");
    const withDiagnostics = await runCli(["permissions", "explain", "file.read", "--json"], broken);
    expect(withDiagnostics.code).toBe(1);
    const parsed = JSON.parse(withDiagnostics.out) as {
      ok: boolean;
      diagnostics: { line: number; severity: string; message: string }[];
    };
    expect(parsed.ok).toBe(false);
    expect(parsed.diagnostics).toContainEqual(
      expect.objectContaining({ line: 2, severity: "error", message: expect.stringContaining("stage") }),
    );
  });
});
