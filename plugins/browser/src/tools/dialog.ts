import { defineTool, WorksiteError } from "@worksite/core";
import { z } from "zod";
import { refOwnerUrl } from "../refs.js";
import type { BrowserSession } from "../session.js";
import { result } from "./common.js";

export function dialogTool(session: BrowserSession) {
  return defineTool({
    description: "Accept or dismiss the alert, confirm, prompt or beforeunload dialog open on the current tab.",
    effect: "external",
    targetKind: "url",
    input: z.object({
      action: z.enum(["accept", "dismiss"]),
      promptText: z.string().optional().describe("Answer for a prompt dialog"),
    }),
    target: () => refOwnerUrl(session, undefined),
    async run(i, ctx) {
      const tab = await session.use(ctx, { allowDialog: true });
      const mark = session.events.mark();
      const pending = tab.dialog;
      if (!pending) throw new WorksiteError("user", `No dialog is open on tab ${tab.id}.`);
      tab.dialog = undefined;
      if (i.action === "accept") await pending.dialog.accept(i.promptText);
      else await pending.dialog.dismiss();
      return result(
        session,
        ctx,
        mark,
        [
          `${i.action === "accept" ? "Accepted" : "Dismissed"} the ${pending.type} dialog. Its message was:`,
          ctx.untrusted(pending.message, tab.page.url()),
        ],
        { type: pending.type, action: i.action },
      );
    },
  });
}
