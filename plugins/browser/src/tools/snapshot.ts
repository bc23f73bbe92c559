import { defineTool } from "@worksite/core";
import { snapshotBody } from "@worksite/page";
import { z } from "zod";
import { refOwnerUrl } from "../refs.js";
import type { BrowserSession } from "../session.js";
import { takeSnapshot } from "../snapshot.js";
import { result, stable } from "./common.js";

export const DEFAULT_SNAPSHOT_BUDGET = 12_000;

export function snapshotTool(session: BrowserSession) {
  return defineTool({
    description:
      'Accessibility tree of the current tab as text, with element refs (button "Submit" [ref=e12]) to act on. Hidden and off-screen elements are left out; password, card and one-time-code values are masked.',
    effect: "read",
    targetKind: "url",
    input: z.object({
      budget: z.number().int().min(500).max(200_000).optional().describe("Most characters of tree text returned"),
    }),
    target: () => refOwnerUrl(session, undefined),
    async run(input, ctx) {
      const tab = await session.use(ctx);
      const mark = session.events.mark();
      const snap = await stable(tab.page, () => takeSnapshot(session, tab, input.budget ?? DEFAULT_SNAPSHOT_BUDGET));
      const body = snapshotBody(snap, "browser.read");
      return result(session, ctx, mark, [`Snapshot of tab ${tab.id} at ${snap.url}:`, ctx.untrusted(body, snap.url)], {
        url: snap.url,
        title: snap.title,
        refs: snap.refs,
        trimmed: snap.trimmed,
        tab: tab.id,
      });
    },
  });
}
