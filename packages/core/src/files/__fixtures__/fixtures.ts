import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tempDir } from "@worksite/test-support";

export function fixture(set: "en" | "zh", name: string): string {
  return readFileSync(new URL(`./${set}/${name}`, import.meta.url), "utf8");
}

export async function tempWorksite(files: Record<string, string>): Promise<string> {
  const root = await tempDir("worksite-files-");
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, name), text);
  return root;
}
