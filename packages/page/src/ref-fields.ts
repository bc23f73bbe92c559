import { z } from "zod";

export const REF = /^e\d+$/;

/** Every element action names its ref and, for the person approving it, what the element is. */
export function refFieldsFor(snapshotTool: string) {
  return {
    ref: z.string().regex(REF, `a ref from ${snapshotTool}, like e12`).describe(`Element ref from ${snapshotTool}`),
    element: z.string().min(1).max(200).describe("Human-readable description of the element, shown in approvals"),
  };
}
