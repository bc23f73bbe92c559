import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { prng } from "./__fixtures__/secret-corpus.js";
import { scanSecrets } from "./scan.js";

const here = new URL(".", import.meta.url).pathname;
/** Non-blank lines of __fixtures__/ordinary-code-and-prose.txt: the figure the README quotes. */
const HANDWRITTEN_LINES = 251;

/** Identifiers and digests that look random but are not secrets: commit SHAs, UUIDs, lockfile integrity hashes, image data. */
function generatedLines(count: number): string[] {
  const rnd = prng(7);
  const hex = (n: number) => Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(rnd() * 16)]).join("");
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
  const version = () => `${Math.floor(rnd() * 20)}.${Math.floor(rnd() * 40)}.${Math.floor(rnd() * 100)}`;
  const makers = [
    () => `${hex(40)} refs/heads/main`,
    () => `commit ${hex(40)}`,
    () => `  "resolved": "https://packages.example.org/pkg/-/pkg-${version()}.tgz#${hex(40)}",`,
    () => `  "integrity": "sha512-${bytes(64).toString("base64")}",`,
    () => `    resolution: {integrity: sha512-${bytes(64).toString("base64")}}`,
    () => `${hex(64)}  dist/worksite-${version()}.tgz`,
    () => `  id: ${uuid()}`,
    () => `{"id": "${uuid()}", "threadId": "${uuid()}", "round": ${Math.floor(rnd() * 9)}}`,
    () =>
      `<img src="data:image/png;base64,${Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), bytes(90)]).toString("base64")}" alt="logo">`,
    () =>
      `  background: url(data:image/gif;base64,${Buffer.concat([Buffer.from("GIF89a"), bytes(60)]).toString("base64")});`,
    () => `    "version": "${version()}",`,
    () => `"@worksite/core": "^${version()}", "zod": "~${version()}"`,
    () => `https://github.com/acme/worksite/commit/${hex(40)}`,
    () => `https://example.com/docs/${uuid()}?tab=settings#section-${Math.floor(rnd() * 9)}`,
    () => `ETag: W/"${hex(32)}"`,
    () => `callHash: ${hex(64)}`,
    () => `X-Request-Id: ${uuid()}`,
    () => `docker pull ghcr.io/acme/worker@sha256:${hex(64)}`,
    () => `Content-Security-Policy: script-src 'sha256-${bytes(32).toString("base64")}'`,
    () => `<script src="/assets/index-${hex(8)}.js" integrity="sha384-${bytes(48).toString("base64")}"></script>`,
  ];
  return Array.from({ length: count }, (_, i) => makers[i % makers.length]!());
}

/** Real text from installed packages, a few files from each so the sample spans many authors: source and READMEs. */
function nodeModulesLines(limit: number): { lines: string[]; files: number } {
  const root = join(here, "../../../../node_modules/.pnpm");
  const filesOf = (dir: string, out: string[], depth: number) => {
    if (out.length >= 4 || depth > 5) return;
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (out.length >= 4) return;
      const path = join(dir, name);
      let isDir = false;
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        continue;
      }
      if (isDir) {
        if (!/^(?:test|tests|__tests__|fixtures)$/.test(name)) filesOf(path, out, depth + 1);
      } else if (/\.(?:js|md)$/.test(name) && !/\.min\.js$/.test(name)) out.push(path);
    }
  };
  const lines: string[] = [];
  let files = 0;
  for (const pkg of readdirSync(root).sort()) {
    // Its README's usage example assigns password: 'password123', a password the scanner rightly flags.
    if (pkg.startsWith("@pondwader+socks5-server@")) continue;
    const picked: string[] = [];
    filesOf(join(root, pkg, "node_modules"), picked, 0);
    for (const file of picked) {
      files++;
      const kept = readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "" && l.length < 2000)
        .slice(0, 120);
      lines.push(...kept);
      if (lines.length >= limit) return { lines: lines.slice(0, limit), files };
    }
  }
  return { lines, files };
}

function flagged(lines: string[]): string[] {
  return lines.filter((line) => scanSecrets(line).length > 0);
}

describe("false positives over ordinary prose and code", () => {
  const handwritten = readFileSync(join(here, "__fixtures__/ordinary-code-and-prose.txt"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");
  const ordinary = [...handwritten, ...generatedLines(200)];

  it(`flags none of the ${ordinary.length} lines of source, docs, config, logs, hashes and ids, line by line`, () => {
    expect(ordinary.length).toBe(HANDWRITTEN_LINES + 200);
    expect(flagged(ordinary)).toEqual([]);
  });

  it("flags nothing in the whole ordinary-text fixture read as one document (line breaks and all)", () => {
    expect(scanSecrets(ordinary.join("\n"))).toEqual([]);
    expect(scanSecrets(readFileSync(join(here, "__fixtures__/ordinary-code-and-prose.txt"), "utf8"))).toEqual([]);
  });

  const installed = nodeModulesLines(6000);
  it(`flags none of ${installed.lines.length} lines from ${installed.files} files of installed packages' JavaScript and READMEs`, () => {
    const { lines, files } = installed;
    expect(lines.length).toBe(6000);
    expect(files).toBeGreaterThanOrEqual(40);
    expect(flagged(lines).map((h) => h.slice(0, 200))).toEqual([]);
  });

  it('does not report documentation placeholders such as password = "changeme"', () => {
    for (const line of [
      'password = "changeme"',
      "SECRET_KEY=changeme",
      "OPENAI_API_KEY=your-api-key-here",
      "API_TOKEN=${API_TOKEN}",
      "GITHUB_TOKEN=<your token>",
      "postgres://user:password@localhost:5432/app",
      "postgres://app:${DB_PASSWORD}@db:5432/app",
      "password: '********'",
      "token: xxxxxxxxxxxxxxxxxxxxxxxx",
    ])
      expect(scanSecrets(line), line).toEqual([]);
  });
});
