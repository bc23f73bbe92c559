import { relative } from "node:path";
import {
  type Diagnostic,
  formatDiagnostic,
  type SourceLocation,
  TIERS,
  type Worksite,
  trustNotes,
} from "@worksite/core";
import { safeLoadWorksite } from "@worksite/core";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { type CommandIO, styler } from "../io.js";
import { plural } from "@worksite/core";
import { readinessDiagnostics, threadPlugins } from "./check-readiness.js";
import { pluginLines, pluginsJson } from "./check-plugins.js";
import { sandboxReport, sandboxSummary } from "./check-sandbox.js";
import { driftDiagnostic } from "@worksite/automations";

type Paint = ReturnType<typeof styler>;

export default defineCommand({
  name: "check",
  usage: "check [-w DIR] [--json]",
  summary: "parse THREAD.md, GOAL.md and PERMISSIONS.md and show what is enforced, what is manual, and every error",
  async run(args, io) {
    const root = findWorksite(args, io);
    const paint = styler(io.isTTY);
    const shown = (file: string) => relative(io.cwd, file) || file;
    const result = await safeLoadWorksite(root);
    if (!result.ok) {
      const errors = result.diagnostics.filter((d) => d.severity === "error");
      if (args.options.json) {
        io.stdout(`${JSON.stringify({ ok: false, root, diagnostics: result.diagnostics }, null, 2)}\n`);
        return 1;
      }
      for (const d of result.diagnostics) io.stderr(`${formatDiagnostic({ ...d, file: shown(d.file) })}\n`);
      io.stderr(
        `${paint("red", "error:")} ${plural(errors.length, "error")} in the worksite at ${relative(io.cwd, root) || "."}; nothing was run\n`,
      );
      return 1;
    }
    const plugins = await threadPlugins(result.value, root, io);
    const readiness = await readinessDiagnostics(result.value, root, io, shown, plugins);
    // A thread that wakes on its own and can never stop is an error (issue 16: "endless drifting").
    const drift = driftDiagnostic(result.value);
    if (drift) readiness.push(drift);
    const blocking = readiness.filter((d) => d.severity === "error");
    if (blocking.length) {
      // It parses, but a run could not start (a plugin no package provides): an error like a parse error.
      const diagnostics = [...result.value.diagnostics, ...readiness];
      if (args.options.json) {
        io.stdout(`${JSON.stringify({ ok: false, root, diagnostics, plugins: pluginsJson(plugins) }, null, 2)}\n`);
        return 1;
      }
      io.stderr(pluginLines(plugins, paint, shown));
      for (const d of diagnostics) io.stderr(`${formatDiagnostic({ ...d, file: shown(d.file) })}\n`);
      io.stderr(
        `${paint("red", "error:")} ${plural(blocking.length, "error")} in the worksite at ${relative(io.cwd, root) || "."}; a run cannot start\n`,
      );
      return 1;
    }
    if (args.options.json) {
      io.stdout(
        `${JSON.stringify({ ok: true, ...result.value, diagnostics: [...result.value.diagnostics, ...readiness], plugins: pluginsJson(plugins), sandbox: sandboxReport(result.value) }, null, 2)}\n`,
      );
      return 0;
    }
    io.stdout(summary(result.value, paint, shown).replace(/\n\n/, `\n${pluginLines(plugins, paint, shown)}\n`));
    io.stdout(sandboxSummary(result.value, paint, shown));
    printWarnings([...result.value.diagnostics, ...readiness, ...trustNotes(result.value.permissions)], io, shown);
    return 0;
  },
});

function summary(w: Worksite, paint: Paint, shown: (file: string) => string): string {
  const out: string[] = [];
  const at = (s: SourceLocation) => paint("dim", `${shown(s.file)}:${s.line}`);
  const { thread, goal, permissions } = w;

  out.push(`${paint("bold", "Thread")}  ${thread.title ?? "(untitled)"}`);
  const settings = [
    `stage ${thread.stage}`,
    `wake ${thread.wake ?? "only when asked"}`,
    `agent ${thread.agent?.kind ?? "script"}`,
    `plugins ${thread.plugins.join(", ") || "none"}`,
  ];
  if (thread.memory)
    settings.push(
      `memory in ${thread.memory.path}/${thread.memory.remote ? ` (synced with ${thread.memory.remote})` : ""}`,
    );
  out.push(`  ${settings.join(" · ")}`);
  const counts: [string, number][] = [
    ["owns", thread.owns.length],
    ["does not own", thread.doesNotOwn.length],
    ["read first", thread.readFirst.length],
    ["deliver each round", thread.deliverEachRound.length],
    ["pause when", thread.pauseWhen.length],
  ];
  out.push(`  ${counts.map(([k, n]) => `${k} ${n}`).join(" · ")}`, "");

  out.push(`${paint("bold", "Goal")}  ${goal.goal}`);
  if (goal.requirements.length) out.push(`  requirements: ${goal.requirements.length}`);
  if (goal.scope.length) out.push("  scope:");
  for (const s of goal.scope) out.push(`    - ${s.text}`);
  if (goal.protect.length) out.push(`  protected paths: ${goal.protect.join(", ")}`);
  const enforced = goal.verify.filter((v) => v.kind !== "manual");
  const manual = goal.verify.filter((v) => v.kind === "manual");
  out.push(`  verify: ${paint("green", `${enforced.length} enforced`)}, ${paint("yellow", `${manual.length} manual`)}`);
  const verifyRows = goal.verify.map((v) => ({
    mark: v.kind === "manual" ? paint("yellow", "?") : paint("green", "✓"),
    text:
      v.kind === "command"
        ? `run      ${v.command}`
        : v.kind === "artifact"
          ? `artifact ${v.glob}`
          : `manual   ${v.text}`,
    where: at(v.source),
  }));
  const manualPause = goal.pause.manual.map((m) => ({
    mark: paint("yellow", "?"),
    text: `manual   ${m.text}`,
    where: at(m.source),
  }));
  const width = columnWidth([...verifyRows, ...manualPause].map((r) => r.text));
  for (const r of verifyRows) out.push(`    ${r.mark} ${r.text.padEnd(width)}  ${r.where}`);
  const p = goal.pause;
  const pause = [
    p.repeatedFailure !== undefined ? `same failure ${p.repeatedFailure}×` : undefined,
    p.maxRounds !== undefined ? plural(p.maxRounds, "round") : undefined,
    p.budgetMs !== undefined ? `${formatMs(p.budgetMs)} budget` : undefined,
    p.onForbidden === "pause"
      ? "a forbidden action is needed"
      : "forbidden actions are skipped (onForbidden: continue)",
  ].filter(Boolean);
  out.push(`  pause when: ${pause.join(" · ")}`);
  for (const r of manualPause) out.push(`    ${r.mark} ${r.text.padEnd(width)}  ${r.where}`);
  out.push("");

  const d = permissions.defaults;
  out.push(`${paint("bold", "Permissions")}  default: read → ${d.read}, write → ${d.write}, external → ${d.external}`);
  const ruleText = (r: (typeof permissions.rules)[number]) => {
    const examples = r.examples.match.length + r.examples.notMatch.length;
    return `${r.text}${examples ? ` (${plural(examples, "example")} checked)` : ""}`;
  };
  const noteText = (n: (typeof permissions.notes)[number]) => `${n.tier ? `[${n.tier}] ` : ""}${n.text}`;
  const ruleWidth = columnWidth([...permissions.rules.map(ruleText), ...permissions.notes.map(noteText)]);
  for (const tier of TIERS) {
    const rules = permissions.rules.filter((r) => r.tier === tier);
    if (!rules.length) continue;
    out.push(`  ${paint("cyan", tier === "confirm" ? "confirm (requires confirmation)" : tier)}`);
    for (const r of rules)
      out.push(
        `    ${ruleText(r).padEnd(ruleWidth)}  ${at(r.source)}${r.note ? `  ${paint("dim", `— ${r.note}`)}` : ""}`,
      );
  }
  if (permissions.notes.length) {
    out.push(`  ${paint("yellow", "not enforced")} (notes for people)`);
    for (const n of permissions.notes) out.push(`    ${noteText(n).padEnd(ruleWidth)}  ${at(n.source)}`);
  }
  out.push(
    "",
    `${paint("green", "ok:")} ${plural(permissions.rules.length, "rule")}, ${plural(enforced.length, "enforced check")}, ${plural(manual.length + p.manual.length, "manual check")}`,
    "",
  );
  return out.join("\n");
}

function printWarnings(diagnostics: Diagnostic[], io: CommandIO, shown: (file: string) => string): void {
  for (const d of diagnostics) io.stderr(`${formatDiagnostic({ ...d, file: shown(d.file) })}\n`);
}

/** Pads to the longest entry, but a very long one does not push every location off screen. */
function columnWidth(texts: string[]): number {
  // A loop, not Math.max(...): 130,000 rules would overflow the call stack (issue 21).
  let widest = 0;
  for (const t of texts) widest = Math.max(widest, t.length);
  return Math.min(56, widest);
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}
