import { defineTool } from "@worksite/core";
import { MASK_CSS, MASKED_FIELDS } from "@worksite/page";
import type { ScreenshotOptions } from "puppeteer-core";
import { z } from "zod";
import { frameWaitMs, within } from "../frame-wait.js";
import { refOwnerUrl, resolve } from "../refs.js";
import type { BrowserSession } from "../session.js";
import type { Tab } from "../tab.js";
import { result } from "./common.js";

/**
 * One trip to each frame, and a second only to those with something to mask: the mask goes on only in a frame
 * where such a field exists. Every frame, cross-origin ones too: hosted card fields live in another origin's frame.
 * The mask is a constructed style sheet, adopted by the document: a page whose Content-Security-Policy forbids
 * inline styles refused the `<style>` element used before, and its card digits were captured as they are.
 */
async function withMask<T>(tab: Tab, take: () => Promise<T>): Promise<T> {
  const key = `__worksiteMask${Math.random().toString(36).slice(2)}`;
  const masked = await Promise.all(
    tab.page.frames().map((frame) =>
      // A frame that never gets a document (a refused navigation) would hold the screenshot for ever.
      within(
        frameWaitMs(frame, tab.page.mainFrame()),
        frame.evaluate(
          (selector, css, sheetKey) => {
            if (!document.querySelector(selector)) return false;
            const sheet = new CSSStyleSheet();
            sheet.replaceSync(css);
            document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
            (window as unknown as Record<string, CSSStyleSheet>)[sheetKey] = sheet;
            return true;
          },
          MASKED_FIELDS,
          MASK_CSS,
          key,
        ),
      )
        .then((added) => (added ? frame : undefined))
        .catch(() => undefined),
    ),
  );
  try {
    return await take();
  } finally {
    await Promise.all(
      masked.map((frame) =>
        frame
          ?.evaluate((sheetKey) => {
            const held = window as unknown as Record<string, CSSStyleSheet | undefined>;
            const sheet = held[sheetKey];
            delete held[sheetKey];
            document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
          }, key)
          .catch(() => {}),
      ),
    );
  }
}

export function screenshotTool(session: BrowserSession) {
  return defineTool({
    description: "Screenshot of the viewport, the full page or one element, saved as an artifact; returns its path.",
    effect: "read",
    targetKind: "url",
    input: z.object({
      ref: z
        .string()
        .regex(/^e\d+$/)
        .optional()
        .describe("Only this element"),
      element: z.string().min(1).max(200).optional(),
      fullPage: z.boolean().optional(),
      scale: z.number().min(0.1).max(1).optional().describe("Downscale factor, e.g. 0.5"),
      format: z.enum(["png", "jpeg"]).optional(),
      inline: z
        .boolean()
        .optional()
        .describe("Also return the picture itself (shown by MCP clients), not only the saved file's path"),
      name: z
        .string()
        .regex(/^[\w.-]{1,80}$/)
        .optional()
        .describe("File name wanted, without extension"),
    }),
    target: (i) => refOwnerUrl(session, i.ref),
    async run(i, ctx) {
      const tab = await session.use(ctx);
      const mark = session.events.mark();
      const page = tab.page;
      const format = i.format ?? "png";
      // A faster PNG encoder (bigger files) and, for the viewport, no relayout to capture beyond it:
      // together about half the time of puppeteer's defaults here (issue 13 item 4).
      const options: ScreenshotOptions = {
        type: format,
        ...(format === "jpeg" ? { quality: 80 } : {}),
        optimizeForSpeed: true,
        captureBeyondViewport: false,
      };
      const scale = i.scale ?? 1;
      // Clips are in page coordinates with captureBeyondViewport; puppeteer drops `scale` from a clip otherwise.
      const view = () =>
        page.evaluate(() => ({
          x: window.visualViewport?.pageLeft ?? window.scrollX,
          y: window.visualViewport?.pageTop ?? window.scrollY,
          w: window.innerWidth,
          h: window.innerHeight,
          W: document.documentElement.scrollWidth,
          H: document.documentElement.scrollHeight,
        }));
      if (i.ref) {
        const el = await resolve(session, tab, i.ref);
        try {
          await el.handle.scrollIntoView();
          const box = await el.handle.boundingBox();
          const v = await view();
          if (box) options.clip = { x: box.x + v.x, y: box.y + v.y, width: box.width, height: box.height, scale };
          options.captureBeyondViewport = true;
        } finally {
          void el.handle.dispose().catch(() => {});
        }
      } else if (i.fullPage || scale !== 1) {
        const v = await view();
        options.clip = i.fullPage
          ? { x: 0, y: 0, width: v.W, height: v.H, scale }
          : { x: v.x, y: v.y, width: v.w, height: v.h, scale };
        options.captureBeyondViewport = true;
      }
      // CDP sends the picture as base64: kept as it came for the inline copy, decoded once for the file.
      const base64 = await withMask(tab, () => page.screenshot({ ...options, encoding: "base64" }));
      const data = Buffer.from(base64, "base64");
      const url = page.url();
      // The file is named now and written after the call returns; a run's end and dispose wait for it.
      const artifact = await ctx.artifacts.write({
        background: true,
        name: `${i.name ?? "screenshot"}.${format === "jpeg" ? "jpg" : "png"}`,
        kind: "screenshot",
        data,
        meta: {
          url,
          time: new Date().toISOString(),
          tab: tab.id,
          ...(i.ref ? { ref: i.ref, element: i.element } : {}),
          fullPage: Boolean(i.fullPage),
          scale,
        },
      });
      const out = result(
        session,
        ctx,
        mark,
        [`Saved a screenshot of ${url} to ${artifact.path}.`],
        { path: artifact.path, url },
        [artifact],
      );
      const mimeType = format === "jpeg" ? "image/jpeg" : "image/png";
      return i.inline ? { ...out, images: [{ data: base64, mimeType }] } : out;
    },
  });
}
