// Every bench script writes its own section of bench/RESULTS.md, between
// `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`, and nothing else: rerunning
// one bench changes only its block, and no figure there is typed by hand (#19).
import { readFile, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const RESULTS_FILE = join(dirname(fileURLToPath(import.meta.url)), "RESULTS.md");

const HEADER =
  "# Benchmark results\n\nEach section below is written by the bench script named in it, between its `bench:` markers; rerun that script to refresh it. Do not edit inside the markers by hand.\n";

// Taken when a bench script imports this module, i.e. before it measures anything.
const loadAtStart = loadavg()[0];

const open = (name) => `<!-- bench:${name} -->`;
const close = (name) => `<!-- /bench:${name} -->`;

/** The text with NAME's block replaced by `body` (or appended when there is none); everything outside it unchanged. */
export function replaceSection(text, name, body) {
  if (!/^[a-z0-9-]+$/.test(name))
    throw new Error(`bench section name must be lowercase letters, digits and dashes: ${JSON.stringify(name)}`);
  const block = `${open(name)}\n${body.replace(/\n+$/, "")}\n${close(name)}`;
  const start = text.indexOf(open(name));
  const end = text.indexOf(close(name));
  if (start < 0 && end < 0) return `${text.replace(/\n*$/, "")}\n\n${block}\n`;
  if (start < 0 || end < start)
    throw new Error(`${RESULTS_FILE}: the markers of bench:${name} are broken; restore ${open(name)} … ${close(name)}`);
  return text.slice(0, start) + block + text.slice(end + close(name).length);
}

/** One line saying when, on what, and under which load a bench ran, and the command that wrote the section. */
export function provenance(command, extra = []) {
  const cpu = cpus();
  const machine = `${cpu.length} cores (${cpu[0]?.model.trim() ?? "unknown"}), Node ${process.versions.node}, ${process.platform}`;
  const load = `load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end (a shared machine: absolute times are noisy; compare the ratios, which come from the same run)`;
  return [
    `Written by \`${command}\` on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    machine,
    load,
    ...extra,
  ].join(" · ");
}

/** Writes NAME's section of RESULTS.md (creating the file if needed) and prints it. */
export async function writeSection(name, body, file = RESULTS_FILE) {
  const existing = await readFile(file, "utf8").catch((error) => {
    if (error.code === "ENOENT") return HEADER;
    throw error;
  });
  await writeFile(file, replaceSection(existing, name, body));
  process.stdout.write(`${body.replace(/\n+$/, "")}\n`);
}
