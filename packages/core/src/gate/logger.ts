import type { Logger } from "../plugin/types.js";
import { redactSecrets } from "../secrets/scan.js";

export type LogLevel = "debug" | "info" | "warn" | "error";
const ORDER: LogLevel[] = ["debug", "info", "warn", "error"];

/** A namespaced logger writing one line per message; `write` is injected (default: stderr; a buffer in tests). */
export function createLogger(
  options: {
    namespace?: string;
    level?: LogLevel;
    write?: (line: string) => void;
    redact?: (text: string) => string;
  } = {},
): Logger {
  const min = ORDER.indexOf(options.level ?? "info");
  const write = options.write ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const redact = options.redact ?? redactSecrets;
  const make = (namespace: string): Logger => {
    const emit = (level: LogLevel) => (message: string, data?: Record<string, unknown>) => {
      if (ORDER.indexOf(level) < min) return;
      const extra = data && Object.keys(data).length ? ` ${JSON.stringify(data)}` : "";
      write(redact(`${level} ${namespace ? `[${namespace}] ` : ""}${message}${extra}`));
    };
    return {
      debug: emit("debug"),
      info: emit("info"),
      warn: emit("warn"),
      error: emit("error"),
      child: (name) => make(namespace ? `${namespace}:${name}` : name),
    };
  };
  return make(options.namespace ?? "");
}

/** Drops everything. The gate's default when nobody passes a logger. */
export const silentLogger: Logger = createLogger({ write: () => {} });
