import { describe, expect, it } from "vitest";
import { parseCommandLine } from "./parse-command.js";

const argvs = (line: string) => parseCommandLine(line).commands.map((c) => c.words.map((w) => w.text));

describe("reading a command line", () => {
  it("removes quotes and escapes the way a shell does", () => {
    expect(argvs(`npm "te"'st' a\\ b`)).toEqual([["npm", "test", "a b"]]);
  });

  it("splits on every operator, including newlines and background &", () => {
    expect(argvs("a && b || c; d | e & f\ng")).toEqual([["a"], ["b"], ["c"], ["d"], ["e"], ["f"], ["g"]]);
  });

  it("finds commands inside $(…), backticks, <(…) and ${…:-$(…)}, even inside double quotes", () => {
    const found = parseCommandLine('echo "$(a 1)" `b 2` <(c 3) ${X:-$(d 4)}').commands;
    expect(
      found
        .filter((c) => c.nested)
        .map((c) => c.text)
        .sort(),
    ).toEqual(["a 1", "b 2", "c 3", "d 4"]);
  });

  it("keeps single-quoted text literal", () => {
    const [cmd] = parseCommandLine("echo '$(rm -rf /)'").commands;
    expect(parseCommandLine("echo '$(rm -rf /)'").commands).toHaveLength(1);
    expect(cmd!.words[1]).toEqual({ text: "$(rm -rf /)", computed: false });
  });

  it("reads redirections and their targets, with file descriptors", () => {
    const [cmd] = parseCommandLine("cmd >out 2>>err <in &>all 2>&1").commands;
    expect(cmd!.words.map((w) => w.text)).toEqual(["cmd"]);
    expect(cmd!.redirects.map((r) => [r.op, r.target?.text])).toEqual([
      [">", "out"],
      [">>", "err"],
      ["<", "in"],
      ["&>", "all"],
      [">&", "1"],
    ]);
  });

  it("marks words the shell computes", () => {
    const [cmd] = parseCommandLine("$X ~/a {a,b} $'\\x72m' plain 'q*' g*").commands;
    expect(cmd!.words.map((w) => w.computed)).toEqual([true, true, true, true, false, false, false]);
    expect(cmd!.words[6]!.glob?.test("git")).toBe(true);
    expect(cmd!.words[5]!.glob).toBeUndefined();
  });

  it("reports what it cannot follow", () => {
    expect(parseCommandLine("echo 'open").problems).toContain("unterminated '");
    expect(parseCommandLine("echo $(a").problems).toContain("unterminated substitution");
    expect(parseCommandLine("cat <<EOF\nx\nEOF").problems).toContain("here-document");
    expect(parseCommandLine("a )").problems).toContain("unbalanced )");
  });
});

describe("nesting too deep to follow", () => {
  it.each([
    ["$(", ")"],
    ["<(", ")"],
    ["${x:-", "}"],
    ['"$(', ')"'],
  ])("stops at %s nested 100,000 deep with a problem, never a stack overflow", (open, close) => {
    const parsed = parseCommandLine(`echo ${open.repeat(100_000)}ls${close.repeat(100_000)}`);
    expect(parsed.tooDeep).toBe(true);
    expect(parsed.problems.join("; ")).toContain("nested more than 32 deep");
  });

  it("still follows 30 nested substitutions and finds the innermost command", () => {
    const parsed = parseCommandLine(`echo ${"$(".repeat(30)}rm -rf /${")".repeat(30)}`);
    expect(parsed.tooDeep).toBeUndefined();
    expect(parsed.commands.map((c) => c.text)).toContain("rm -rf /");
  });
});
