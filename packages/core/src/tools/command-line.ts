/**
 * Split a command line into argv the way sh would, for the simple case only:
 * words, single and double quotes, backslash escapes. Anything that needs a
 * shell (operators, redirections, substitutions, globs, variables, `~`,
 * `VAR=x cmd`, comments) returns `{ shell: true }` and is run with
 * `/bin/sh -c`, which the policy allowed only if every part of it is allowed.
 */
export type ParsedCommand = { shell: false; argv: string[] } | { shell: true; reason: string };

const OPERATORS = new Set(["|", "&", ";", "<", ">", "(", ")", "`", "$", "*", "?", "[", "]", "{", "}", "\n", "\r"]);

export function parseCommandLine(line: string): ParsedCommand {
  const argv: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "$" || c === "`") return { shell: true, reason: `${c} inside double quotes` };
      else if (c === "\\" && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) word += line[++i];
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
      continue;
    }
    if (c === "\\") {
      if (i + 1 >= line.length) return { shell: true, reason: "trailing backslash" };
      const next = line[++i]!;
      if (next !== "\n") word += next;
      inWord = true;
      continue;
    }
    if (c === " " || c === "\t") {
      if (inWord) argv.push(word);
      word = "";
      inWord = false;
      continue;
    }
    if (OPERATORS.has(c)) return { shell: true, reason: `shell syntax ${JSON.stringify(c)}` };
    if (!inWord && (c === "~" || c === "#")) return { shell: true, reason: `${c} at the start of a word` };
    if (c === "=" && argv.length === 0 && !word.includes("=") && /^[A-Za-z_][A-Za-z0-9_]*$/.test(word))
      return { shell: true, reason: "an environment assignment" };
    word += c;
    inWord = true;
  }
  if (quote) return { shell: true, reason: "an unclosed quote" };
  if (inWord) argv.push(word);
  return { shell: false, argv };
}

/** The command with quoting and escapes taken away, for spotting names the shell would still see. */
export function unquoted(line: string): string {
  return line.replace(/["'\\]/g, "");
}
