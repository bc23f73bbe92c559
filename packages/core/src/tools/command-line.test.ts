import { describe, expect, it } from "vitest";
import { parseCommandLine } from "./command-line.js";

describe("command lines", () => {
  it.each([
    ["npm test", ["npm", "test"]],
    ["  git   log --oneline  ", ["git", "log", "--oneline"]],
    [`echo 'a b' "c d" e\\ f`, ["echo", "a b", "c d", "e f"]],
    [`node -e "console.log(1)"`, ["node", "-e", "console.log(1)"]],
    [`echo ''`, ["echo", ""]],
    ["ls --color=auto", ["ls", "--color=auto"]],
  ])("runs %j without a shell", (line, argv) => {
    expect(parseCommandLine(line)).toEqual({ shell: false, argv });
  });

  it.each([
    "npm test && rm -rf /",
    "a; b",
    "a | b",
    "echo $(id)",
    "echo `id`",
    "cat < x",
    "echo > x",
    "ls *.ts",
    "FOO=1 npm test",
    "cd ~",
    'echo "$HOME"',
    "echo 'open",
    "a & b",
    "echo x # comment",
  ])("needs a shell for %j", (line) => {
    expect(parseCommandLine(line).shell).toBe(true);
  });
});
