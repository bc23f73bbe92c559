import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { cliBin, makeWorksite, personEnv } from "./testing/worksite-fixture.js";

// `worksite mcp` starts the browser's Chromium before the runtime loads (issue 13 item 4). These tests hold
// it to what a browser started the usual way guarantees: the first call uses that one browser, and a server
// that stops or loses its client before any call leaves no Chromium and no profile behind.

interface Proc {
  pid: number;
  ppid: number;
  pgrp: number;
  cmdline: string[];
}

async function processes(): Promise<Proc[]> {
  const out: Proc[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z" || fields[0] === "X") continue;
      const cmdline = (await readFile(`/proc/${name}/cmdline`, "utf8")).split("\0").filter(Boolean);
      out.push({ pid: Number(name), ppid: Number(fields[1]), pgrp: Number(fields[2]), cmdline });
    } catch {
      // gone while we looked
    }
  }
  return out;
}

/** The Chromium main processes a server started (its direct children with a profile of ours). */
async function chromiumsOf(serverPid: number): Promise<Proc[]> {
  return (await processes()).filter(
    (p) => p.ppid === serverPid && p.cmdline.some((a) => a.startsWith("--user-data-dir=")),
  );
}

const profileOf = (p: Proc) =>
  p.cmdline.find((a) => a.startsWith("--user-data-dir="))!.slice("--user-data-dir=".length);

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function browserWorksite(origin: string) {
  const site = await makeWorksite();
  await writeFile(join(site.root, "THREAD.md"), "---\nplugins: [browser]\nstage: write\n---\n# Browser thread\n");
  await writeFile(join(site.root, "PERMISSIONS.md"), `# Permissions\n\n## Allow\n- \`browser.*(${origin}/**)\`\n`);
  return site;
}

/** `worksite mcp` on stdio with a client that has not spoken yet: nothing but the process itself. */
function startServer(root: string): ChildProcess {
  return spawn(process.execPath, [cliBin, "mcp", "-w", root], { stdio: ["pipe", "pipe", "pipe"], env: personEnv() });
}

/** Waits until nothing of the Chromium group is alive and its profile folder is gone. */
async function goneAfter(chromium: Proc): Promise<void> {
  await until("the browser's processes and profile to be gone", async () => {
    const left = (await processes()).filter((p) => p.pgrp === chromium.pid);
    return left.length === 0 && !existsSync(profileOf(chromium)) ? true : undefined;
  });
}

describe("worksite mcp starts the browser before its modules load", () => {
  let page: Server;
  let origin: string;
  beforeAll(async () => {
    page = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<h1>Early</h1>"));
    await new Promise<void>((r) => page.listen(0, "127.0.0.1", r));
    origin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => page.close(() => r())));

  it("has Chromium running by the time it answers initialize, and the first browser_open uses that same one", async () => {
    const site = await browserWorksite(origin);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [cliBin, "mcp", "-w", site.root],
      stderr: "pipe",
      env: personEnv(),
    });
    const client = new Client({ name: "early-test", version: "1.0.0" });
    try {
      await client.connect(transport);
      const serverPid = transport.pid!;
      // Spawned before the runtime began to load, so before the server could answer initialize.
      const [early] = await chromiumsOf(serverPid);
      expect(early).toBeDefined();
      const result = (await client.callTool({
        name: "browser_open",
        arguments: { url: `${origin}/` },
      })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect((result.content[0] as { text: string }).text).toContain(`Opened ${origin}/`);
      const after = await chromiumsOf(serverPid);
      expect(after.map((p) => p.pid)).toEqual([early!.pid]);
      // The browser the call used goes through the session's proxy, as a launched one does.
      expect(early!.cmdline.some((a) => a.startsWith("--proxy-server=127.0.0.1:"))).toBe(true);
      await client.close();
      await goneAfter(early!);
    } finally {
      await client.close().catch(() => {});
      await site.cleanup();
    }
  });

  it("SIGTERM before any call ends the early Chromium and removes its profile", async () => {
    const site = await browserWorksite(origin);
    const server = startServer(site.root);
    try {
      const [early] = await until("an early Chromium", async () => {
        const found = await chromiumsOf(server.pid!);
        return found.length ? found : undefined;
      });
      const exited = new Promise((r) => server.once("exit", r));
      server.kill("SIGTERM");
      await exited;
      await goneAfter(early!);
    } finally {
      server.kill("SIGKILL");
      await site.cleanup();
    }
  });

  it("a client that goes away before any call leaves no Chromium behind", async () => {
    const site = await browserWorksite(origin);
    const server = startServer(site.root);
    try {
      const [early] = await until("an early Chromium", async () => {
        const found = await chromiumsOf(server.pid!);
        return found.length ? found : undefined;
      });
      const exited = new Promise((r) => server.once("exit", r));
      server.stdin!.end();
      await exited;
      await goneAfter(early!);
    } finally {
      server.kill("SIGKILL");
      await site.cleanup();
    }
  });

  it("a worksite without the browser plugin starts no Chromium", async () => {
    const site = await makeWorksite();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [cliBin, "mcp", "-w", site.root],
      stderr: "pipe",
      env: personEnv(),
    });
    const client = new Client({ name: "early-test", version: "1.0.0" });
    try {
      await client.connect(transport);
      await client.listTools();
      expect(await chromiumsOf(transport.pid!)).toEqual([]);
    } finally {
      await client.close();
      await site.cleanup();
    }
  });
});
