import { defineTool, type ToolContext, WorksiteError } from "@worksite/core";
import { normalizeUrl, snapshotBody } from "@worksite/page";
import { z } from "zod";
import { blockedLines, decideUrl, guarded } from "../guard.js";
import { capture, frames, inWorld, mainFrameId, maskPage, snapshot } from "../page-ops.js";
import type { ChromeSession, ChromeTab } from "../session.js";
import { liveTarget, siteFloor } from "./common.js";

async function navigate(session: ChromeSession, tab: ChromeTab, ctx: ToolContext, url: string) {
  if (!/^https?:\/\//i.test(url) && url !== "about:blank") {
    const verdict = await decideUrl(session, ctx, url);
    if (!verdict.permitted || !/^https?:/i.test(url))
      throw new WorksiteError("refused", `Refused to open ${url}: the Chrome bridge opens web pages only`);
  }
  const out = await guarded(session, tab, ctx, () => session.send(tab, "Page.navigate", { url }), url);
  const now = (await frames(session, tab))[0]?.url ?? url;
  if (out.failed && !out.blocked.length) throw new WorksiteError("tool-failed", `Could not open ${url}: ${out.failed}`);
  const title = await inWorld(session, tab, await mainFrameId(session, tab), () => document.title).catch(() => "");
  const lines = out.blocked.length
    ? [`Navigation to ${url} was blocked.`, ...blockedLines(out.blocked, tab)]
    : [`Opened ${now} on tab ${tab.id}.`, `Title: ${ctx.untrusted(title, now)}`];
  return { content: lines.join("\n"), data: { url: now, requested: url, tab: tab.id, blocked: out.blocked } };
}

export function pageTools(session: ChromeSession) {
  const floor = (tool: string) => async (_i: unknown, ctx: ToolContext) =>
    siteFloor(session, `chrome.${tool}`, await liveTarget(session, ctx), ctx);
  return {
    open: defineTool({
      description:
        "Open a URL in the current shared tab of your Chrome (a new tab in the worksite group if none is shared).",
      effect: "read",
      targetKind: "url",
      input: z.object({
        url: z.string().min(1).describe("Address to open; https:// is assumed when no scheme is given"),
      }),
      target: (i) => normalizeUrl(i.url),
      minimumTier: (i, ctx) => siteFloor(session, "chrome.open", normalizeUrl(i.url), ctx),
      async run(i, ctx) {
        const tab = await session.use(ctx, { create: true });
        return navigate(session, tab, ctx, normalizeUrl(i.url));
      },
    }),
    tabs: defineTool({
      description:
        "List the tabs shared with this worksite (the worksite tab group), open a new one there, select or close one.",
      effect: "read",
      targetKind: "url",
      input: z.object({
        action: z.enum(["list", "new", "select", "close"]),
        id: z.number().int().positive().optional(),
        url: z.string().min(1).optional(),
      }),
      target: (i, ctx) =>
        i.action === "new" && i.url ? normalizeUrl(i.url) : liveTarget(session, ctx).catch(() => "about:blank"),
      async run(i, ctx) {
        if (i.action === "new") {
          const tab = await session.newTab(ctx);
          if (i.url) return navigate(session, tab, ctx, normalizeUrl(i.url));
          return { content: `Opened tab ${tab.id} in the worksite group and selected it.`, data: { tab: tab.id } };
        }
        if (i.action === "select" || i.action === "close") {
          await session.tabs(ctx);
          const id = i.id ?? session.peek()?.id;
          if (id === undefined)
            throw new WorksiteError("user", `tabs ${i.action} needs an id; chrome.tabs list shows them.`);
          if (i.action === "select") {
            session.select(id);
            return { content: `Selected tab ${id}.`, data: { tab: id } };
          }
          await session.closeTab(id);
          return { content: `Closed tab ${id}.`, data: { closed: id } };
        }
        const tabs = await session.tabs(ctx);
        const current = session.peek();
        const rows = [];
        for (const t of tabs) {
          const url = (await frames(session, t).catch(() => []))[0]?.url ?? "";
          rows.push({ id: t.id, url, current: t === current });
        }
        const list = rows.map((r) => `${r.current ? "*" : " "} [${r.id}] ${r.url}`).join("\n");
        return {
          content: [`${rows.length} shared tab(s), * is current:`, ctx.untrusted(list, "shared tabs")].join("\n"),
          data: { tabs: rows },
        };
      },
    }),
    snapshot: defineTool({
      description:
        'Accessibility tree of the current shared tab as text, with element refs (button "Submit" [ref=e12]). Password, card and one-time-code values are masked.',
      effect: "read",
      targetKind: "url",
      input: z.object({ budget: z.number().int().min(500).max(200_000).optional() }),
      target: (_i, ctx) => liveTarget(session, ctx),
      minimumTier: floor("snapshot"),
      async run(i, ctx) {
        const tab = await session.use(ctx);
        const snap = await snapshot(session, tab, i.budget ?? 12_000);
        return {
          content: [
            `Snapshot of tab ${tab.id} at ${snap.url}:`,
            ctx.untrusted(snapshotBody(snap, "chrome.read"), snap.url),
          ].join("\n"),
          data: { url: snap.url, title: snap.title, refs: snap.refs, trimmed: snap.trimmed, tab: tab.id },
        };
      },
    }),
    read: defineTool({
      description: "The visible text of the current shared tab (main frame), as untrusted content.",
      effect: "read",
      targetKind: "url",
      input: z.object({ budget: z.number().int().min(500).max(500_000).optional() }),
      target: (_i, ctx) => liveTarget(session, ctx),
      minimumTier: floor("read"),
      async run(i, ctx) {
        const tab = await session.use(ctx);
        const main = await mainFrameId(session, tab);
        const { text, url } = await inWorld(session, tab, main, () => ({
          text: document.body?.innerText ?? "",
          url: location.href,
        }));
        const budget = i.budget ?? 20_000;
        const body =
          text.length > budget ? `${text.slice(0, budget)}\n… ${text.length - budget} more characters left out` : text;
        return { content: [`Text of ${url}:`, ctx.untrusted(body, url)].join("\n"), data: { url, chars: text.length } };
      },
    }),
    "wait-for": defineTool({
      description: "Wait for text to appear or disappear on the current shared tab, or a number of seconds.",
      effect: "read",
      targetKind: "url",
      input: z
        .object({
          text: z.string().min(1).optional(),
          textGone: z.string().min(1).optional(),
          time: z.number().min(0).max(60).optional(),
          timeoutMs: z.number().int().min(100).max(120_000).optional(),
        })
        .refine((i) => i.text !== undefined || i.textGone !== undefined || i.time !== undefined, {
          message: "give one of text, textGone or time",
        }),
      target: (_i, ctx) => liveTarget(session, ctx),
      minimumTier: floor("wait-for"),
      async run(i, ctx) {
        const tab = await session.use(ctx);
        const started = Date.now();
        if (i.time !== undefined) await new Promise((r) => setTimeout(r, i.time! * 1000));
        const deadline = Date.now() + (i.timeoutMs ?? session.options.timeoutMs);
        const want = async (text: string) =>
          inWorld(
            session,
            tab,
            await mainFrameId(session, tab),
            (t: string) => document.body?.innerText.includes(t) ?? false,
            text,
          ).catch(() => false);
        for (;;) {
          const seen = i.text === undefined || (await want(i.text));
          const gone = i.textGone === undefined || !(await want(i.textGone));
          if (seen && gone) break;
          if (Date.now() > deadline || ctx.signal.aborted)
            throw new WorksiteError("tool-failed", `Gave up waiting after ${Date.now() - started} ms.`);
          await new Promise((r) => setTimeout(r, 100));
        }
        return { content: `Waited ${Date.now() - started} ms.`, data: { ms: Date.now() - started } };
      },
    }),
    screenshot: defineTool({
      description: "Screenshot of the current shared tab's viewport, saved as an artifact; returns its path.",
      effect: "read",
      targetKind: "url",
      input: z.object({
        name: z
          .string()
          .regex(/^[\w.-]{1,80}$/)
          .optional(),
        format: z.enum(["png", "jpeg"]).optional(),
      }),
      target: (_i, ctx) => liveTarget(session, ctx),
      minimumTier: floor("screenshot"),
      async run(i, ctx) {
        const tab = await session.use(ctx);
        const format = i.format ?? "png";
        // The mask goes on first and names the page's URL, so the file's name is reserved while the picture is taken.
        const masked = await maskPage(session, tab, await mainFrameId(session, tab)).catch(() => undefined);
        const shot = capture(
          session,
          tab,
          format === "jpeg" ? { format: "jpeg", quality: 80 } : { format: "png" },
          masked,
        );
        const file = (url: string, data: Uint8Array | Promise<Uint8Array | undefined>) =>
          ctx.artifacts.write({
            name: `${i.name ?? "screenshot"}.${format === "jpeg" ? "jpg" : "png"}`,
            kind: "screenshot",
            data,
            // The call returns once the picture is taken; its file and index entry follow (on disk at settled()).
            background: true,
            meta: { url, time: new Date().toISOString(), tab: tab.id },
          });
        const reserved =
          masked === undefined
            ? undefined
            : file(
                masked,
                shot.then(
                  (s) => s.data,
                  () => undefined,
                ),
              ).catch(() => undefined);
        const { data, url } = await shot.catch(async (error: unknown) => {
          await reserved;
          throw error;
        });
        const artifact = (await reserved) ?? (await file(url, data));
        return {
          content: `Saved a screenshot of ${url} to ${artifact.path}.`,
          data: { path: artifact.path, url },
          artifacts: [artifact],
        };
      },
    }),
    close: defineTool({
      description: "End the Chrome session: detach from every shared tab. Your Chrome and its tabs stay as they are.",
      effect: "read",
      input: z.object({}),
      target: () => "chrome",
      async run() {
        await session.close();
        return { content: "Detached from Chrome; the tabs stay open.", data: { closed: true } };
      },
    }),
  };
}
