import { defineTool } from "@worksite/core";
import { z } from "zod";
import type { BrowserSession } from "../session.js";

export function closeTool(session: BrowserSession) {
  return defineTool({
    description: "Close the in-app browser and delete its profile; the next browser call starts a fresh one.",
    effect: "read",
    input: z.object({}),
    target: () => "browser",
    async run() {
      const wasOpen = session.isOpen();
      await session.close();
      return { content: wasOpen ? "Closed the browser." : "The browser was not open.", data: { closed: wasOpen } };
    },
  });
}
