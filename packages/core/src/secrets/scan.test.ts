import { describe, expect, it } from "vitest";
import { redactDeep } from "./redact-deep.js";
import { redactSecrets, scanSecrets } from "./scan.js";
import { sensitiveKeyKind } from "./sensitive-key.js";

const GH = "ghp_" + "Zq8rT3vW5xY7aB9cD1eF3gH5jK7mN9pQ2sU4";

describe("scanSecrets", () => {
  it("reports 1-based line and column of each secret", () => {
    const text = `# config\nuser = "bob"\n  token = ${GH}\n`;
    const [f] = scanSecrets(text);
    expect(f).toMatchObject({ kind: "github-token", line: 3, column: 11 });
    expect(text.slice(f!.start, f!.end)).toBe(GH);
  });

  it("finds a lone AWS access key id with no assignment around it", () => {
    expect(scanSecrets("see AKIAQ3EGRTXMPLE7ZK4Q in the log").map((f) => f.kind)).toEqual(["aws-access-key-id"]);
  });

  it("redacts a PEM block cut off before its END line, but not the prose after it", () => {
    const text =
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx4Tq0b8f2c1KcVg7S1u0x9wQ4u3s\nAbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/\n\nThe key above was pasted by mistake.";
    expect(redactSecrets(text)).toBe("[REDACTED:private-key]\n\nThe key above was pasted by mistake.");
  });

  it("keeps the user name of a URL and redacts only its password", () => {
    expect(redactSecrets("postgres://app:Qw3rTy9UiOp2@db:5432/x")).toBe(
      "postgres://app:[REDACTED:password-in-url]@db:5432/x",
    );
    expect(scanSecrets("https://a.com:443@evil.com/")).toEqual([]); // a host trick, not a password
  });

  it("judges passwords by what they look like: hunter2 yes, changeme no", () => {
    expect(scanSecrets("password: hunter2").map((f) => f.kind)).toEqual(["password-assignment"]);
    expect(scanSecrets('password = "changeme"')).toEqual([]);
    expect(scanSecrets("const password = options.password;")).toEqual([]);
  });

  it("does not flag a JWT-shaped string whose header has no alg", () => {
    const header = Buffer.from('{"typ":"x"}').toString("base64url");
    expect(scanSecrets(`${header}.eyJzdWIiOiIxIn0.abcdefghijklmnopqrstuv`)).toEqual([]);
  });

  // How fast the scan is (a megabyte of base64, the audit log's small events) is measured by bench/secrets/scan.mjs.
  it("finds nothing in a megabyte of base64 image data", () => {
    const blob = Buffer.from(Uint8Array.from({ length: 768 * 1024 }, (_, i) => (i * 2654435761) >>> 24)).toString(
      "base64",
    );
    expect(scanSecrets(`data:image/png;base64,${blob}`)).toEqual([]);
  });
});

describe("redactDeep", () => {
  it("redacts values under credential-named keys whatever they look like, and secrets inside any string", () => {
    const out = redactDeep({
      password: "x",
      db: { accessToken: 12345, maxTokens: 4096, tokenCount: 3, secretName: "db-creds" },
      headers: { Authorization: "Bearer abc", "X-Api-Key": "k" },
      list: [`token is ${GH}`, { api_key: ["a", "b"] }],
      ok: true,
      none: null,
    });
    expect(out).toEqual({
      password: "[REDACTED:password]",
      db: { accessToken: "[REDACTED:secret]", maxTokens: 4096, tokenCount: 3, secretName: "db-creds" },
      headers: { Authorization: "[REDACTED:secret]", "X-Api-Key": "[REDACTED:secret]" },
      list: ["token is [REDACTED:github-token]", { api_key: ["[REDACTED:secret]", "[REDACTED:secret]"] }],
      ok: true,
      none: null,
    });
  });

  it("finds a secret split across the strings of an array, such as a PEM key in output lines", () => {
    const lines = [
      "$ cat key.pem",
      "-----BEGIN PRIVATE KEY-----",
      "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
      "VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDu",
      "-----END PRIVATE KEY-----",
      "done",
    ];
    const out = redactDeep({ stdout: lines }).stdout;
    expect(out[0]).toBe("$ cat key.pem");
    expect(out.at(-1)).toBe("done");
    expect(JSON.stringify(out)).not.toContain("VJTUt9Us8cKjMzEfYyjiWA4R4");
    expect(JSON.stringify(out)).not.toContain("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcw");
  });

  it("does not change its input and survives cycles", () => {
    const input: Record<string, unknown> = { password: "p" };
    input.self = input;
    const out = redactDeep(input) as Record<string, unknown>;
    expect(input.password).toBe("p");
    expect(out.self).toBe("[Circular]");
  });

  it("reads key names by their words", () => {
    expect(
      [
        "DB_PASSWORD",
        "accessToken",
        "api_key",
        "APIKey",
        "x-api-key",
        "SECRET_KEY_BASE",
        "client_secret",
        "authorization",
      ].map(sensitiveKeyKind),
    ).toEqual(["password", "secret", "secret", "secret", "secret", "secret", "secret", "secret"]);
    expect(
      ["maxTokens", "tokenCount", "secretName", "passwordHint", "sortKey", "i18nKey", "publicKey", "key"].map(
        sensitiveKeyKind,
      ),
    ).toEqual(Array(8).fill(undefined));
  });

  it("redacts a run of token characters too long for its expressions to read as one blob, and reads the text around it", () => {
    // Six million base64 characters overflowed the expressions' backtracking stack and threw.
    const blob = "Ab".repeat(3_000_000);
    const text = `token=${blob} and AKIAIOSFODNN7EXAMPLE after`;
    expect(scanSecrets(text).map((f) => f.kind)).toEqual(["unscannable", "aws-access-key-id"]);
    expect(redactSecrets(text)).toBe("token=[REDACTED:unscannable] and [REDACTED:aws-access-key-id] after");
    expect(redactDeep({ target: blob, tool: "shell.run" })).toEqual({
      target: "[REDACTED:unscannable]",
      tool: "shell.run",
    });
  });
});
