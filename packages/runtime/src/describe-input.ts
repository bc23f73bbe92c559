import { redactSecrets } from "@worksite/core";

/** A call's input in one line for a person watching the run: the command, URL or path first, secrets redacted. */
export function describeInput(input: unknown): string {
  if (input === null || typeof input !== "object") return input === undefined ? "" : redactSecrets(String(input));
  const record = input as Record<string, unknown>;
  const main = ["command", "url", "path", "query", "name", "text"].find((k) => typeof record[k] === "string");
  const text = main ? String(record[main]) : JSON.stringify(input);
  const line = text.replace(/\s+/g, " ").trim();
  return redactSecrets(line.length > 200 ? `${line.slice(0, 199)}…` : line);
}
