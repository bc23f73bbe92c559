import type { ToolContext } from "@worksite/core";

interface OriginTally {
  count: number;
  types: Record<string, number>;
  /** The first URL seen, for a person reading the audit log. */
  example: string;
  reason?: string;
}

export interface RequestSummary {
  blocked(origin: string, type: string, url: string, reason: string): void;
  allowed(origin: string, type: string, url: string): void;
  /** Anything blocked since the last take? */
  pending(): boolean;
  /**
   * Writes one audit entry for what was blocked since the last take (nothing
   * when nothing was), and returns the lines the agent reads.
   */
  take(ctx: ToolContext | undefined): Promise<string[]>;
}

/**
 * What a page reached on its own during one call, by origin. A page can make
 * hundreds of requests; one audit entry per call lists the blocked origins with
 * counts and kinds (and the allowed origins with counts, as context), instead
 * of one entry per image.
 */
export function createRequestSummary(): RequestSummary {
  let blocked = new Map<string, OriginTally>();
  let allowed = new Map<string, OriginTally>();
  const tally = (map: Map<string, OriginTally>, origin: string, type: string, url: string, reason?: string) => {
    const t = map.get(origin) ?? { count: 0, types: {}, example: url, ...(reason ? { reason } : {}) };
    t.count++;
    t.types[type] = (t.types[type] ?? 0) + 1;
    map.set(origin, t);
  };
  return {
    blocked: (origin, type, url, reason) => tally(blocked, origin, type, url, reason),
    allowed: (origin, type, url) => tally(allowed, origin, type, url),
    pending: () => blocked.size > 0,
    async take(ctx) {
      const was = { blocked, allowed };
      blocked = new Map();
      allowed = new Map();
      if (was.blocked.size === 0) return [];
      const total = [...was.blocked.values()].reduce((n, t) => n + t.count, 0);
      const kinds = (t: OriginTally) =>
        Object.entries(t.types)
          .map(([k, n]) => `${k} ×${n}`)
          .join(", ");
      const lines = [...was.blocked].map(
        ([origin, t]) => `${origin}: ${t.count} (${kinds(t)}) — ${t.reason ?? "refused"}`,
      );
      const message = `blocked ${total} request${total === 1 ? "" : "s"} the page made on its own: ${lines.join("; ")}`;
      await ctx?.note?.({
        tool: "browser.open",
        target: [...was.blocked.keys()][0]!,
        outcome: "blocked",
        message,
        data: {
          blocked: [...was.blocked].map(([origin, t]) => ({
            origin,
            count: t.count,
            types: t.types,
            example: t.example,
            reason: t.reason,
          })),
          allowed: Object.fromEntries([...was.allowed].map(([origin, t]) => [origin, t.count])),
        },
      });
      return [
        `Blocked ${total} request${total === 1 ? "" : "s"} the page made on its own:`,
        ...lines.map((l) => `  ${l}`),
      ];
    },
  };
}
