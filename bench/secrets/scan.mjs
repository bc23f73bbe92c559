// Secret scan speed, moved out of the tests (a timing limit there fails on a busy machine and
// proves nothing on an idle one, #19): a megabyte of base64 (an image in a tool result) and the
// audit log's hot path, one small event per append.
// Run after building:  pnpm exec tsc -b && node bench/secrets/scan.mjs [N]   (or `pnpm bench`)
import { scanSecrets } from "../../packages/core/dist/index.js";
import { provenance, writeSection } from "../results-writer.mjs";

const N = Number(process.argv[2] ?? 20);
const EVENTS = 1000;

const blob = `data:image/png;base64,${Buffer.from(Uint8Array.from({ length: 768 * 1024 }, (_, i) => (i * 2654435761) >>> 24)).toString("base64")}`;
const line = `{"tool":"browser.open","target":"https://example.com/a?b=c","actor":"agent","message":"opened in 120ms"}`;

function time(fn) {
  const t = performance.now();
  fn();
  return performance.now() - t;
}
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return {
    n: s.length,
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    median: s[Math.floor(s.length / 2)],
    p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))],
  };
};

for (let i = 0; i < 3; i++) scanSecrets(blob); // warm-up
const megabyte = stats(Array.from({ length: N }, () => time(() => scanSecrets(blob))));
const events = stats(
  Array.from(
    { length: N },
    () =>
      time(() => {
        for (let i = 0; i < EVENTS; i++) scanSecrets(line);
      }) / EVENTS,
  ),
);

const f = (x, d = 1) => `${x.toFixed(d)} ms`;
const row = (label, s, d) => `| ${label} | ${s.n} | ${f(s.mean, d)} | ${f(s.median, d)} | ${f(s.p95, d)} |`;
const section = [
  "## Secret scan",
  "",
  provenance(`node bench/secrets/scan.mjs ${N}`, [`N=${N} runs each (after 3 warm-up scans)`]),
  "",
  `\`scanSecrets\` over ${(blob.length / 1024 / 1024).toFixed(2)} MB of base64 image data (a screenshot in a tool result), and over one ${line.length}-byte`,
  `audit event (the log scans every entry it appends; timed as ${EVENTS} scans per run, reported per scan).`,
  "",
  "| what | runs | mean | median | p95 |",
  "|---|---:|---:|---:|---:|",
  row("1 MB of base64", megabyte, 1),
  row("one small audit event", events, 4),
  "",
  `- median: a megabyte of base64 **${f(megabyte.median)}**; one audit event **${f(events.median, 4)}**`,
].join("\n");
await writeSection("secrets", section);
