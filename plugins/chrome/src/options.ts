import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseThread, UserError } from "@worksite/core";
import { z } from "zod";

export const chromeOptionsSchema = z
  .object({
    /** DevTools endpoint mode: the http://host:port of a Chrome started with --remote-debugging-port. */
    browserUrl: z.string().url().optional(),
    /** DevTools endpoint mode: a Chrome profile folder whose DevToolsActivePort names the port. */
    autoConnect: z.string().min(1).optional(),
    /** Shown on the connect page; defaults to the worksite folder. */
    name: z.string().min(1).max(100).optional(),
    /** The extension detaches from a tab unused this long, so Chrome's debugging bar does not linger. */
    idleMs: z.number().int().min(1000).max(3_600_000).default(60_000),
    /**
     * How long a call waits for the extension to connect. Under an MCP client's usual 60 s request timeout (and
     * `worksite mcp`'s 50 s quiet wait), so the client reads why and what to do instead of a bare timeout.
     */
    connectTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    /** Navigation and wait timeout, ms. */
    timeoutMs: z.number().int().min(100).max(600_000).default(15_000),
    /** Host names (or host:port) treated like the built-in sensitive sites. */
    sensitiveHosts: z.array(z.string().min(1)).default([]),
    /** Shows the connect page to the person (opens it in their Chrome); without it the address is logged. */
    openConnectPage: z.custom<(url: string) => void | Promise<void>>((v) => typeof v === "function").optional(),
  })
  .refine((o) => !(o.browserUrl && o.autoConnect), { message: "give browserUrl or autoConnect, not both" });

export type ChromePluginOptions = z.input<typeof chromeOptionsSchema>;
export type ResolvedChromeOptions = z.output<typeof chromeOptionsSchema> & {
  endpoint: boolean;
  /** The keys the embedder gave; THREAD.md's `chrome:` fills in the rest. */
  given: ReadonlySet<string>;
};

export function parseChromeOptions(options: unknown): ResolvedChromeOptions {
  const parsed = chromeOptionsSchema.safeParse(options ?? {});
  if (!parsed.success)
    throw new UserError(`Invalid chrome plugin options: ${z.prettifyError(parsed.error)}`, {
      hint: "THREAD.md `chrome:` takes browserUrl or autoConnect (endpoint mode), or nothing for the extension bridge",
    });
  return {
    ...parsed.data,
    endpoint: Boolean(parsed.data.browserUrl || parsed.data.autoConnect),
    given: new Set(Object.keys((options ?? {}) as object)),
  };
}

export interface WayIn {
  browserUrl?: string;
  autoConnect?: string;
  name?: string;
  idleMs: number;
  connectTimeoutMs: number;
}

/**
 * How this run reaches Chrome: the plugin's own options where an embedder
 * gave them, else THREAD.md's `chrome:` (parsed and checked by core, with
 * FILE:LINE errors), else the extension bridge.
 */
export function wayIn(options: ResolvedChromeOptions, worksite: string): WayIn {
  const modeGiven = options.given.has("browserUrl") || options.given.has("autoConnect");
  let thread:
    | { browserUrl?: string; autoConnect?: string; name?: string; idleSeconds?: number; connectSeconds?: number }
    | undefined;
  if (
    !modeGiven ||
    !options.given.has("name") ||
    !options.given.has("idleMs") ||
    !options.given.has("connectTimeoutMs")
  ) {
    const file = join(worksite, "THREAD.md");
    let text: string | undefined;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      text = undefined;
    }
    if (text !== undefined) thread = parseThread(text, { file }).chrome;
  }
  const browserUrl = modeGiven ? options.browserUrl : thread?.browserUrl;
  const autoConnect = modeGiven ? options.autoConnect : thread?.autoConnect;
  const name = options.name ?? thread?.name;
  const idleMs =
    options.given.has("idleMs") || thread?.idleSeconds === undefined ? options.idleMs : thread.idleSeconds * 1000;
  const connectTimeoutMs =
    options.given.has("connectTimeoutMs") || thread?.connectSeconds === undefined
      ? options.connectTimeoutMs
      : thread.connectSeconds * 1000;
  return {
    ...(browserUrl ? { browserUrl } : {}),
    ...(autoConnect ? { autoConnect } : {}),
    ...(name ? { name } : {}),
    idleMs,
    connectTimeoutMs,
  };
}
