import type { PluginReport } from "@worksite/runtime";
import type { styler } from "../io.js";

type Paint = ReturnType<typeof styler>;

/** `check`'s plugin lines: each THREAD.md plugin with its package, version and whose it is (issue 20). Empty when there are none. */
export function pluginLines(reports: PluginReport[], paint: Paint, shown: (file: string) => string): string {
  if (!reports.length) return "";
  const rows = reports.map((r) => {
    const what =
      r.party === "local"
        ? `local file ${shown(r.file ?? r.entry)}`
        : `${r.package}${r.version ? `@${r.version}` : ""}`;
    const party =
      r.party === "local"
        ? paint("yellow", "local (trust: local)")
        : r.party === "third-party"
          ? paint("yellow", "third-party")
          : "first-party";
    return `  ${r.entry.padEnd(14)} ${what}  ${party}${r.error ? `  ${paint("red", "does not load")}` : ""}`;
  });
  return `${paint("bold", "Plugins")}\n${rows.join("\n")}\n`;
}

export function pluginsJson(reports: PluginReport[]) {
  return reports.map(({ plugin: _plugin, ...r }) => r);
}
