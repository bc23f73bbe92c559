import type { ArtifactRef } from "@worksite/core";
import { html as diffHtml, parse as parseDiff } from "diff2html";
import { h, type Safe } from "../html.js";
import { renderMarkdown, sanitizeDiff } from "../markdown.js";
import { evidenceLinks, imageType } from "../evidence.js";
import { pager } from "./layout.js";
import { isNodeSpec, parseNodeSpec } from "./node-spec.js";

export const ROUNDS_OF_ARTIFACTS_PER_PAGE = 5;

const raw = (i: number, path: string) => `/t/${i}/raw?path=${encodeURIComponent(path)}`;

/** Every artifact, grouped by round (newest first) and kind, a few rounds per page. */
export function artifactsPage(
  i: number,
  artifacts: readonly ArtifactRef[],
  problem: string | undefined,
  pageNumber: number,
): Safe {
  const rounds = [...new Set(artifacts.map((a) => a.round))].sort((a, b) => b - a);
  const pages = Math.max(1, Math.ceil(rounds.length / ROUNDS_OF_ARTIFACTS_PER_PAGE));
  const at = Math.min(Math.max(1, pageNumber), pages);
  const shown = rounds.slice((at - 1) * ROUNDS_OF_ARTIFACTS_PER_PAGE, at * ROUNDS_OF_ARTIFACTS_PER_PAGE);
  return h`<h1>Artifacts</h1>${problem ? h`<p class="problem">${problem}</p>` : ""}
<div data-live="artifacts">${shown.length ? "" : h`<p>No artifacts yet.</p>`}
${shown.map((round) => {
  const mine = artifacts.filter((a) => a.round === round);
  const kinds = [...new Set(mine.map((a) => a.kind))].sort();
  return h`<section><h2>Round ${round}</h2>${kinds.map(
    (kind) =>
      h`<h3>${kind}</h3><ul class="evidence">${mine
        .filter((a) => a.kind === kind)
        .map(
          (a) =>
            h`<li><a href="/t/${i}/artifact?path=${encodeURIComponent(a.path)}">${a.path.split("/").pop()}</a>${a.tool ? h` <span class="meta">from ${a.tool}</span>` : ""}</li>`,
        )}</ul>`,
  )}</section>`;
})}</div>${pager(`/t/${i}/artifacts`, at, pages)}`;
}

/** One artifact, shown by what it is; never run, whatever it contains. */
export function artifactPage(
  i: number,
  path: string,
  ref: ArtifactRef | undefined,
  data: Buffer,
  before: ArtifactRef | undefined,
  layout: "line" | "side",
): Safe {
  const name = path.split("/").pop() ?? path;
  const head = h`<h1>${name}</h1><p class="meta">${path}${ref ? h` · ${ref.kind}, round ${ref.round}, run ${ref.run}${ref.tool ? ` · from ${ref.tool}` : ""}` : ""} · <a href="${raw(i, path)}">raw</a></p>`;
  return h`${head}<div data-live="artifact">${body(i, path, ref, data, before, layout)}</div>`;
}

function body(
  i: number,
  path: string,
  ref: ArtifactRef | undefined,
  data: Buffer,
  before: ArtifactRef | undefined,
  layout: "line" | "side",
): Safe {
  const lower = path.toLowerCase();
  if (imageType(path))
    return h`<div class="compare">${before ? h`<figure><img src="${raw(i, before.path)}" alt="round ${before.round}: ${before.path.split("/").pop()}"><figcaption>round ${before.round} (before)</figcaption></figure>` : ""}
<figure><img src="${raw(i, path)}" alt="${path.split("/").pop()}"><figcaption>${ref ? `round ${ref.round}` : path}</figcaption></figure></div>`;
  const text = data.toString("utf8");
  if (lower.endsWith(".md") || (ref?.kind === "markdown" && !lower.endsWith(".json")))
    return h`<article class="markdown">${renderMarkdown(text, evidenceLinks(i, path))}</article>`;
  if (lower.endsWith(".diff") || lower.endsWith(".patch") || ref?.kind === "diff")
    return diffView(i, path, text, layout);
  if (lower.endsWith(".csv")) return csvTable(text);
  if (lower.endsWith(".json")) return jsonView(text, ref?.kind === "test-result");
  if (lower.endsWith(".xml") && /<testsuite/.test(text)) return junitView(text);
  if (/^TAP version \d+|^(not )?ok \d+ /m.test(text) && (ref?.kind === "test-result" || lower.endsWith(".tap")))
    return h`${tapView(text)}<details><summary>the whole log</summary><pre class="text">${text}</pre></details>`;
  if (isNodeSpec(text) && (ref?.kind === "test-result" || lower.endsWith(".log") || lower.endsWith(".txt")))
    return h`${failuresFirst(parseNodeSpec(text))}<details><summary>the whole log</summary><pre class="text">${text}</pre></details>`;
  return h`<pre class="text">${text}</pre>`;
}

/** TAP (node --test, tap, many runners): each top-level test with its YAML block, failures first. */
export function parseTap(text: string): { name: string; status: string; message: string; file: string }[] {
  const tests: { name: string; status: string; message: string; file: string }[] = [];
  const lines = text.split("\n");
  for (let k = 0; k < lines.length; k++) {
    const m = /^(not ok|ok) \d+(?: - )?(.*?)(?: # (SKIP|TODO).*)?$/.exec(lines[k]!);
    if (!m) continue;
    const block: string[] = [];
    if (lines[k + 1]?.trim() === "---")
      for (k += 2; k < lines.length && lines[k]!.trim() !== "..."; k++) block.push(lines[k]!.replace(/^ {2}/, ""));
    const status = m[3] ? "skipped" : m[1] === "ok" ? "passed" : "failed";
    tests.push({ name: m[2] ?? "", status, message: status === "failed" ? block.join("\n") : "", file: "" });
  }
  return tests;
}

function tapView(text: string): Safe {
  return failuresFirst(parseTap(text));
}

function failuresFirst(tests: { name: string; status: string; message: string; file: string }[]): Safe {
  return testList([...tests.filter((t) => t.status === "failed"), ...tests.filter((t) => t.status !== "failed")]);
}

export function diffView(i: number, path: string, text: string, layout: "line" | "side"): Safe {
  const files = parseDiff(text);
  const rendered = diffHtml(files, {
    outputFormat: layout === "side" ? "side-by-side" : "line-by-line",
    drawFileList: files.length > 1,
  });
  const other = layout === "side" ? "line" : "side";
  return h`<p><a href="/t/${i}/artifact?path=${encodeURIComponent(path)}&amp;layout=${other}">${layout === "side" ? "show line by line" : "show side by side"}</a></p>
<div class="diff">${sanitizeDiff(rendered)}</div>`;
}

/** RFC 4180 enough for evidence: quoted fields, doubled quotes, commas and newlines inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let k = 0; k < text.length; k++) {
    const c = text[k]!;
    if (quoted) {
      if (c === '"' && text[k + 1] === '"') {
        field += '"';
        k++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[k + 1] === "\n") k++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): Safe {
  return h`<div class="scroll"><table><thead><tr>${header.map((c) => h`<th scope="col">${c}</th>`)}</tr></thead>
<tbody>${rows.slice(0, 2000).map((r) => h`<tr>${r.map((c) => h`<td>${c}</td>`)}</tr>`)}</tbody></table></div>
${rows.length > 2000 ? h`<p class="meta">first 2,000 of ${rows.length} rows</p>` : ""}`;
}

function csvTable(text: string): Safe {
  const [header = [], ...rows] = parseCsv(text);
  return table(header, rows);
}

function cell(v: unknown): string {
  return typeof v === "string" ? v : (JSON.stringify(v) ?? "");
}

function jsonView(text: string, tests: boolean): Safe {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return h`<pre class="text">${text}</pre>`;
  }
  const results = tests ? vitestResults(value) : undefined;
  if (results) return results;
  if (Array.isArray(value) && value.length && value.every((v) => v && typeof v === "object" && !Array.isArray(v))) {
    const keys = [...new Set(value.flatMap((v) => Object.keys(v as object)))];
    return table(
      keys,
      value.map((v) => keys.map((k) => cell((v as Record<string, unknown>)[k]))),
    );
  }
  return h`<pre class="text">${JSON.stringify(value, null, 2)}</pre>`;
}

/** vitest / jest JSON reporter output: failures first, each with its message. */
function vitestResults(value: unknown): Safe | undefined {
  const v = value as {
    testResults?: {
      name?: string;
      assertionResults?: { fullName?: string; title?: string; status?: string; failureMessages?: string[] }[];
    }[];
  };
  if (!Array.isArray(v?.testResults)) return undefined;
  const all = v.testResults.flatMap((f) => (f.assertionResults ?? []).map((t) => ({ file: f.name ?? "", ...t })));
  const failed = all.filter((t) => t.status === "failed");
  const rest = all.filter((t) => t.status !== "failed");
  return testList(
    [...failed, ...rest].map((t) => ({
      name: t.fullName ?? t.title ?? "",
      status: t.status ?? "",
      message: (t.failureMessages ?? []).join("\n"),
      file: t.file,
    })),
  );
}

function junitView(text: string): Safe {
  const cases = [...text.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)].map((m) => {
    const attr = (n: string) => new RegExp(`${n}="([^"]*)"`).exec(m[1] ?? "")?.[1] ?? "";
    const inner = m[3] ?? "";
    const failure =
      /<(failure|error)\b[^>]*?(?:message="([^"]*)")?[^>]*>([\s\S]*?)<\/\1>|<(failure|error)\b[^>]*?message="([^"]*)"[^>]*\/>/.exec(
        inner,
      );
    return {
      name: attr("name"),
      file: attr("classname"),
      status: failure ? "failed" : /<skipped/.test(inner) ? "skipped" : "passed",
      message: failure ? (failure[2] ?? failure[5] ?? failure[3] ?? "") : "",
    };
  });
  return testList([...cases.filter((c) => c.status === "failed"), ...cases.filter((c) => c.status !== "failed")]);
}

function testList(tests: { name: string; status: string; message: string; file: string }[]): Safe {
  const failed = tests.filter((t) => t.status === "failed").length;
  return h`<p class="summary"><strong>${failed} failed</strong>, ${tests.length - failed} other (failures first)</p>
<ul class="tests">${tests.map((t) => h`<li class="test-${t.status}"><strong>${t.status === "failed" ? "FAIL" : t.status === "passed" ? "pass" : t.status}</strong> ${t.name} <span class="meta">${t.file}</span>${t.message ? h`<pre>${t.message}</pre>` : ""}</li>`)}</ul>`;
}
