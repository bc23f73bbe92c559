import { defineTool, WorksiteError } from "@worksite/core";
import { z } from "zod";
import { refOwnerUrl } from "../refs.js";
import type { BrowserSession } from "../session.js";
import { result, sleep, timeoutOf, withSignal } from "./common.js";

const input = z
  .object({
    text: z.string().min(1).optional().describe("Wait until this text is on the page"),
    textGone: z.string().min(1).optional().describe("Wait until this text is gone"),
    selector: z.string().min(1).optional().describe("Wait until a visible element matches this CSS selector"),
    networkIdle: z.boolean().optional().describe("Wait until no request has been in flight for 500 ms"),
    time: z.number().min(0).max(60).optional().describe("Just wait this many seconds"),
    timeoutMs: z.number().int().min(100).max(120_000).optional(),
  })
  .refine((i) => [i.text, i.textGone, i.selector, i.networkIdle, i.time].some((v) => v !== undefined && v !== false), {
    message: "give one of text, textGone, selector, networkIdle or time",
  });

export function waitForTool(session: BrowserSession) {
  return defineTool({
    description: "Wait for text to appear or disappear, a selector, network idle, or a number of seconds.",
    effect: "read",
    targetKind: "url",
    input,
    target: () => refOwnerUrl(session, undefined),
    async run(i, ctx) {
      const tab = await session.use(ctx);
      const mark = session.events.mark();
      const page = tab.page;
      const timeout = i.timeoutMs ?? timeoutOf(session);
      const started = Date.now();
      try {
        if (i.time !== undefined) await sleep(i.time * 1000, ctx.signal);
        if (i.text !== undefined)
          await withSignal(
            page.waitForFunction(
              (t: string) => document.body?.innerText.includes(t),
              { timeout, polling: 100 },
              i.text,
            ),
            ctx.signal,
          );
        if (i.textGone !== undefined)
          await withSignal(
            page.waitForFunction(
              (t: string) => !document.body?.innerText.includes(t),
              { timeout, polling: 100 },
              i.textGone,
            ),
            ctx.signal,
          );
        if (i.selector !== undefined)
          await withSignal(page.waitForSelector(i.selector, { visible: true, timeout }), ctx.signal);
        if (i.networkIdle) await withSignal(page.waitForNetworkIdle({ idleTime: 500, timeout }), ctx.signal);
      } catch (error) {
        if (WorksiteError.isInstance(error)) throw error;
        throw new WorksiteError(
          "tool-failed",
          `Gave up waiting after ${Date.now() - started} ms: ${(error as Error).message}`,
        );
      }
      return result(session, ctx, mark, [`Waited ${Date.now() - started} ms on ${page.url()}.`], {
        ms: Date.now() - started,
      });
    },
  });
}
