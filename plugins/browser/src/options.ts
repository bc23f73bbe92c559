import { UserError } from "@worksite/core";
import { z } from "zod";

export const browserOptionsSchema = z.object({
  /** A Chromium or Chrome executable; else CHROME_PATH, else the usual places. */
  executablePath: z.string().min(1).optional(),
  /** Headless unless `false` (a visible window, for watching a run). */
  headless: z.boolean().default(true),
  viewport: z
    .object({ width: z.number().int().min(200).max(8000), height: z.number().int().min(200).max(8000) })
    .optional(),
  /**
   * Extra Chromium flags, after ours. Proxy flags are refused: the request
   * guard needs its own proxy to decide WebSockets.
   */
  args: z
    .array(
      z
        .string()
        .refine(
          (a) => !/^--(proxy-server|proxy-pac-url|proxy-bypass-list|no-proxy-server|proxy-auto-detect)(=|$)/.test(a),
          {
            message:
              "proxy flags cannot be set: the browser plugin runs its own proxy so every WebSocket is decided by PERMISSIONS.md",
          },
        ),
    )
    .optional(),
  /** Navigation and wait timeout, ms. */
  timeoutMs: z.number().int().min(100).max(600_000).optional(),
  /**
   * Least tier for typing into password, card and one-time-code fields,
   * whatever the rules say (ToolDefinition.minimumTier). `"none"` turns the floor off.
   */
  sensitiveFields: z.enum(["confirm", "forbidden", "none"]).default("confirm"),
});

export type BrowserPluginOptions = z.input<typeof browserOptionsSchema>;
export type ResolvedBrowserOptions = z.output<typeof browserOptionsSchema>;

export function parseBrowserOptions(options: unknown): ResolvedBrowserOptions {
  const parsed = browserOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    throw new UserError(`Invalid browser plugin options: ${z.prettifyError(parsed.error)}`, {
      hint: "See the options of createBrowserPlugin in @worksite/plugin-browser.",
    });
  }
  return parsed.data;
}
