import { UserError } from "@worksite/core";
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
    /** How long a call waits for the extension to connect. */
    connectTimeoutMs: z.number().int().min(100).max(600_000).default(60_000),
    /** Navigation and wait timeout, ms. */
    timeoutMs: z.number().int().min(100).max(600_000).default(15_000),
    /** Host names (or host:port) treated like the built-in sensitive sites. */
    sensitiveHosts: z.array(z.string().min(1)).default([]),
    /** Shows the connect page to the person (opens it in their Chrome); without it the address is logged. */
    openConnectPage: z.custom<(url: string) => void | Promise<void>>((v) => typeof v === "function").optional(),
  })
  .refine((o) => !(o.browserUrl && o.autoConnect), { message: "give browserUrl or autoConnect, not both" });

export type ChromePluginOptions = z.input<typeof chromeOptionsSchema>;
export type ResolvedChromeOptions = z.output<typeof chromeOptionsSchema> & { endpoint: boolean };

export function parseChromeOptions(options: unknown): ResolvedChromeOptions {
  const parsed = chromeOptionsSchema.safeParse(options ?? {});
  if (!parsed.success)
    throw new UserError(`Invalid chrome plugin options: ${z.prettifyError(parsed.error)}`, {
      hint: "THREAD.md `chrome:` takes browserUrl or autoConnect (endpoint mode), or nothing for the extension bridge",
    });
  return { ...parsed.data, endpoint: Boolean(parsed.data.browserUrl || parsed.data.autoConnect) };
}
