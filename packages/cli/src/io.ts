/** What a command may touch of the outside world; tests pass their own. */
export interface CommandIO {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stdout is a terminal: colour and progress only then. */
  isTTY: boolean;
  /** Ask a person a yes/no question; undefined when there is no terminal to ask on. */
  confirm?: (question: string) => Promise<boolean>;
}

/**
 * `worksite status | head -1`: once the reader has gone, the rest of the output
 * has nowhere to go. End quietly with exit 0, as git does, instead of crashing
 * on the stream's unhandled EPIPE error.
 */
export function exitQuietlyWhenOutputCloses(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}

export function processIO(): CommandIO {
  const isTTY = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    isTTY,
    confirm: process.stdin.isTTY ? askYesNo : undefined,
  };
}

async function askYesNo(question: string): Promise<boolean> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

const codes = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;
export type Style = keyof typeof codes;

export function styler(enabled: boolean) {
  return (style: Style, text: string) =>
    enabled ? `\u001b[${codes[style][0]}m${text}\u001b[${codes[style][1]}m` : text;
}
