import { refFieldsFor } from "@worksite/page";

/** Every element action names its ref and, for the person approving it, what the element is. */
export const refFields = refFieldsFor("browser.snapshot");
