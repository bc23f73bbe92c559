import { fileURLToPath } from "node:url";

/** The unpacked extension folder a person loads with "Load unpacked" (shipped in this package). */
export function extensionDir(): string {
  return fileURLToPath(new URL("../extension/", import.meta.url)).replace(/\/$/, "");
}
