import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openAuditLog } from "../audit/audit-log.js";
import { approvalsDir } from "../gate/approvals.js";
import { createGate } from "../gate/gate.js";
import { corePlugins } from "../tools/index.js";
import { redactSecrets, scanSecrets } from "./scan.js";
import { tempDir } from "@worksite/test-support";

/*
 * A shell call's target is its command line, and the audit log (append-only,
 * hash-chained: it cannot be cleaned afterwards) and approval records keep it.
 * Credentials are often spelled on the command line or in a URL query.
 */
const PW = "S3cure!Passw0rd";
const TOKEN = "Zk8sL2mQ9vX4pT8wN3bZ6cY1";

const kinds = (text: string) => scanSecrets(text).map((f) => f.kind);

describe("credentials on a command line", () => {
  it.each([
    [`PGPASSWORD='${PW}' psql -h db -c 'select 1'`, "password-assignment"],
    [`PGPASSWORD=${PW} psql -h db`, "password-assignment"],
    [`export PGPASSWORD="${PW}"`, "password-assignment"],
    [`SSHPASS='${PW}' sshpass -e ssh deploy@web1`, "password-assignment"],
    [`export API_TOKEN="${TOKEN}"`, "high-entropy-assignment"],
    [`mysql -u root -p${PW} -e 'select 1'`, "mysql-password-flag"],
    [`mysqldump -u root -p'${PW}' --all-databases`, "mysql-password-flag"],
    [`mariadb -uroot -p"${PW}" app`, "mysql-password-flag"],
    [`mysql --password=${PW} app`, "password-flag"],
    [`mysql -u root --password ${PW} app`, "password-flag"],
    [`wget --http-password='${PW}' https://files.example.org/a.zip`, "password-flag"],
    [`openssl pkcs12 -export -passout pass:${PW} -out a.p12`, "password-flag"],
    [`keytool -list -keystore ks.jks -storepass ${PW}`, "password-flag"],
    [`sshpass -p ${PW} ssh deploy@web1`, "sshpass-password"],
    [`curl -u admin:${PW} https://api.example.com/`, "curl-user-password"],
    [`curl -s --user 'admin:${PW}' -X POST https://api.example.com/`, "curl-user-password"],
    [`curl --user=admin:${PW} https://api.example.com/`, "curl-user-password"],
    [`curl -uadmin:${PW} https://api.example.com/`, "curl-user-password"],
  ])("redacts the password in %s", (text, kind) => {
    expect(kinds(text)).toEqual([kind]);
    expect(redactSecrets(text)).not.toContain(text.includes(PW) ? PW : TOKEN);
  });

  it("keeps the user name of curl -u and the rest of the command readable", () => {
    expect(redactSecrets(`curl -u admin:${PW} https://api.example.com/`)).toBe(
      "curl -u admin:[REDACTED:curl-user-password] https://api.example.com/",
    );
    expect(redactSecrets(`mysql -u root -p${PW} -e 'select 1'`)).toBe(
      "mysql -u root -p[REDACTED:mysql-password-flag] -e 'select 1'",
    );
  });

  it.each([
    "mysql -u root -p app", // a bare -p prompts for the password
    "mkdir -p build/out && docker run -p8080:80 -u 1000:1000 nginx",
    "ssh -p 2222 deploy@web1",
    "git push -u origin main",
    "docker login -u ci --password-stdin < token.txt",
    'docker login -u ci --password "$DOCKER_PASSWORD"',
    "mysql --password=$MYSQL_PWD app",
    "psql --no-password -h db app",
    "Use the --password option to give it on the command line.",
    "--password <password>   the password to log in with",
    "mysql --password=PASSWORD",
    'curl -u "$USER:$PASS" https://api.example.com/',
    "const args = ['--password=' + password, '--user', user];",
    "PGPASSFILE=~/.pgpass psql",
  ])("leaves %s alone", (text) => {
    expect(scanSecrets(text)).toEqual([]);
  });
});

describe("credentials in a URL query", () => {
  it.each([
    [`curl 'https://app.example.com/reset?token=${TOKEN}'`, "url-query-credential"],
    [`https://api.example.com/v1/items?page=2&api_key=${TOKEN}`, "url-query-credential"],
    [`https://api.example.com/v1/items?apikey=${TOKEN}`, "url-query-credential"],
    [`https://maps.example.com/js?key=${TOKEN}&callback=init`, "url-query-credential"],
    [`https://app.example.com/cb#access_token=${TOKEN}&token_type=bearer`, "url-query-credential"],
    [`https://files.example.org/dl?id=1&amp;signature=${TOKEN}`, "url-query-credential"],
    [`https://files.example.org/dl?sig=${TOKEN.slice(0, 14)}`, "url-query-credential"],
    [`https://auth.example.com/token?client_secret=${TOKEN}`, "url-query-credential"],
    [`https://app.example.com/x?secret=${TOKEN}`, "url-query-credential"],
    [`https://app.example.com/login?user=bob&password=${encodeURIComponent(PW)}`, "url-query-credential"],
    [
      "https://app.example.com/oauth/callback?code=4%2F0AX4XfWjZk8sL2mQ9vX4pT8wN3b&state=af0ifjsldkj",
      "oauth-authorization-code",
    ],
    ["https://app.example.com/oauth/callback?code=5f1e2d3c4b5a69788796&state=abc", "oauth-authorization-code"],
  ])("redacts the credential in %s", (text, kind) => {
    expect(kinds(text)).toEqual([kind]);
    expect(redactSecrets(text)).toContain(`=[REDACTED:${kind}]`);
  });

  it.each([
    "https://example.com/search?q=test&page=2",
    "https://example.com/status?code=200",
    "https://example.com/errors?code=ENOENT&lang=en",
    "https://example.com/errors?code=SUCCESS_RESPONSE_CODE",
    "https://example.com/cache?key=user-profile",
    "https://example.com/items?key=42&sort=desc",
    "https://example.com/x?token=${token}",
    "https://maps.example.com/js?key=YOUR_API_KEY",
    "fetch(`/api/reset?token=${encodeURIComponent(token)}`)",
    "https://example.com/x?sig=abc",
    "https://example.com/login?password=changeme",
    "https://example.com/docs?page=settings&token=none",
  ])("leaves %s alone", (text) => {
    expect(scanSecrets(text)).toEqual([]);
  });
});

describe("the audit log and approval records of a shell call", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it.each([
    `PGPASSWORD='${PW}' psql -h db -c 'select 1'`,
    `mysql -u root -p${PW} -e 'select 1'`,
    `curl -u admin:${PW} https://api.example.com/`,
    `curl 'https://app.example.com/reset?token=${TOKEN}'`,
  ])("keep no credential from %s", async (command) => {
    const root = await tempDir("worksite-cmdline-secrets-");
    dirs.push(root);
    const audit = openAuditLog(join(root, ".worksite", "audit.jsonl"));
    const permissions = {
      file: "PERMISSIONS.md",
      defaults: { read: "read-only", write: "confirm", external: "confirm" },
      rules: [],
      notes: [],
    } as const;
    const gate = createGate({
      root,
      worksite: { permissions: { ...permissions, rules: [], notes: [] } },
      plugins: corePlugins(),
      audit,
      actor: "agent",
      run: "run-r",
      round: 1,
    });
    const outcome = await gate.call({ tool: "shell.run", input: { command } });
    expect(outcome.status).toBe("pending-approval");
    const log = await readFile(audit.path, "utf8");
    // Every file the approval left in the person's state folder (approvals live there, per worksite id).
    const dir = (await approvalsDir(root))!;
    const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name));
    const approvals = (await Promise.all(files.map((f) => readFile(f, "utf8")))).join("\n");
    expect(log).toContain("[REDACTED:");
    expect(approvals).toContain("[REDACTED:");
    expect([PW, TOKEN].filter((s) => log.includes(s) || approvals.includes(s))).toEqual([]);
  });
});
