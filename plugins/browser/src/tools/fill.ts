import type { ToolContext } from "@worksite/core";
import type { ResolvedRef } from "../refs.js";

/** Replaces a field's value the way a person would (focus, select all, type), firing input events. */
export async function fillText(el: ResolvedRef, text: string, slowly: boolean): Promise<void> {
  const handle = el.handle;
  await handle.focus();
  await handle.evaluate((node) => {
    if (node instanceof HTMLInputElement || node instanceof HTMLTextAreaElement) node.select();
    else if ((node as HTMLElement).isContentEditable) document.getSelection()?.selectAllChildren(node);
  });
  const page = handle.frame.page();
  if (text === "") await page.keyboard.press("Backspace");
  else if (slowly) await page.keyboard.type(text, { delay: 20 });
  else await page.keyboard.sendCharacter(text);
}

/** What a result says about a value it put in a field; sensitive ones are never echoed. */
export function shownValue(ctx: ToolContext, el: ResolvedRef, value: string): string {
  return el.sensitive ? `${value.length} characters (sensitive field, masked)` : JSON.stringify(ctx.redact(value));
}
