import { type ChildProcess, execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { type CallToolResult, ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import type { Browser } from "puppeteer-core";
import { openConnectPage } from "../../plugins/chrome/test/helpers.js";

/* The built `worksite` binary as separate processes, and the person who reads what they print. */

const repo = resolve(import.meta.dirname, "../..");
/** Built by the suite's global setup before any test runs. */
export const bin = join(repo, "packages/cli/dist/bin.js");
const exec = promisify(execFile);

/** A connect page address as the plugin prints it. */
export const CONNECT_URL = /chrome-extension:\/\/[a-p]{32}\/connect\.html\?\S+/;

/** Every variable a child needs: the person's test folders (vitest.person-folders.ts, chromeTestFolders) included. */
export const childEnv = () =>
  Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => typeof e[1] === "string"));

/** `worksite ...argv -w root` as the person, to its end. */
export async function cli(root: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [bin, ...argv, "-w", root], {
      env: childEnv(),
      timeout: 120_000,
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw error;
    return { code: e.code, out: e.stdout ?? "", err: e.stderr ?? "" };
  }
}

/**
 * The person, watching what a worksite process writes: when it names a connect page, they open it in their
 * Chrome (once per address). Returns every address seen.
 */
export function openConnectPagesNamedIn(stream: NodeJS.ReadableStream, browser: Browser): string[] {
  const seen: string[] = [];
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString();
    const url = text.match(CONNECT_URL)?.[0];
    if (url && !seen.includes(url)) {
      seen.push(url);
      void openConnectPage(browser, url).catch(() => {});
    }
  });
  return seen;
}

export interface Mcp {
  client: Client;
  pid: () => number | null;
  /** Connect pages the person opened because the server named them. */
  connectPages: string[];
  stderr: () => string;
  close(): Promise<void>;
}

/**
 * `worksite mcp` over stdio with the SDK's own client. The person (unless away) opens the connect page the server
 * names on stderr. The client would answer yes to any question: the server must never ask it.
 */
export async function startMcp(root: string, browser: Browser, opts: { personAway?: boolean } = {}): Promise<Mcp> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, "mcp", "-w", root, "--approval-wait", "2"],
    env: childEnv(),
    stderr: "pipe",
  });
  let err = "";
  transport.stderr!.on("data", (c: Buffer) => void (err += c.toString()));
  const connectPages = opts.personAway ? [] : openConnectPagesNamedIn(transport.stderr!, browser);
  const client = new Client({ name: "chrome-e2e", version: "1.0.0" }, { capabilities: { elicitation: {} } });
  client.setRequestHandler(ElicitRequestSchema, () => {
    throw new Error("worksite mcp asked the client to approve: only a person's channel may");
  });
  await client.connect(transport);
  return { client, pid: () => transport.pid, connectPages, stderr: () => err, close: () => client.close() };
}

export const text = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;

export function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode!);
  return new Promise((r) => child.once("exit", (code, signal) => r(code ?? signal ?? "unknown")));
}

export function alive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
