import { z } from "zod";

/** Every element action names its ref and, for the person approving it, what the element is. */
export const refFields = {
  ref: z
    .string()
    .regex(/^e\d+$/, "a ref from browser.snapshot, like e12")
    .describe("Element ref from browser.snapshot"),
  element: z.string().min(1).max(200).describe("Human-readable description of the element, shown in approvals"),
};
