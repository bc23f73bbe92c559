import { describe, expect, it } from "vitest";
import { secretCorpus } from "./__fixtures__/secret-corpus.js";
import { redactSecrets, scanSecrets } from "./scan.js";

const corpus = secretCorpus();

describe("the secrets corpus", () => {
  // The figures secrets/README.md quotes: change them together.
  it("holds exactly 176 secrets of 42 kinds, 18 of them hidden (encoded, split, zero-width, headerless PEM)", () => {
    expect(corpus.length).toBe(176);
    expect(new Set(corpus.map((s) => s.kind)).size).toBe(42);
    expect(corpus.filter((s) => s.hidden).length).toBe(18);
  });

  it("finds every secret, under the kind it is", () => {
    const missed: string[] = [];
    const misnamed: string[] = [];
    for (const sample of corpus) {
      const findings = scanSecrets(sample.text);
      for (const value of sample.values) {
        const start = sample.text.indexOf(value);
        const covering = findings.find((f) => f.start <= start && f.end >= start + value.length);
        if (!covering) missed.push(`${sample.kind}: ${sample.text}`);
        else if (covering.kind !== sample.kind) misnamed.push(`${sample.kind} named ${covering.kind}: ${sample.text}`);
      }
    }
    expect(missed).toEqual([]);
    expect(misnamed).toEqual([]);
  });

  it("leaves none of the secret values after redaction, each sample alone and all in one document", () => {
    const leaks: string[] = [];
    for (const sample of corpus) {
      const redacted = redactSecrets(sample.text);
      for (const value of sample.values) if (redacted.includes(value)) leaks.push(`${sample.kind}: ${redacted}`);
      expect(redacted).toContain(`[REDACTED:`);
    }
    const all = corpus.map((s) => s.text).join("\n\n");
    const redactedAll = redactSecrets(all);
    for (const sample of corpus)
      for (const value of sample.values) if (redactedAll.includes(value)) leaks.push(`(joined) ${sample.kind}`);
    expect(leaks).toEqual([]);
  });

  it("is stable: redacting twice changes nothing more", () => {
    const all = corpus.map((s) => s.text).join("\n");
    const once = redactSecrets(all);
    expect(redactSecrets(once)).toBe(once);
  });
});
