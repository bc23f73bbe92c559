/**
 * Realistic-looking FAKE secrets, generated from a seeded PRNG in the formats
 * the real ones use, embedded in the places they leak from (.env files, JSON,
 * YAML, shell, code, logs, URLs). None of these is a real credential.
 */

export interface SecretSample {
  /** The kind the scanner should name. */
  kind: string;
  /** The text as it would appear in a file or log. */
  text: string;
  /** Substrings that must not survive redaction. */
  values: string[];
  /** Not visible to a pattern as written: encoded, split across lines, zero-width characters inside, a PEM body without its header. */
  hidden?: true;
}

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const ALNUM = UPPER + LOWER + DIGITS;
const HEX = "0123456789abcdef";
const B64 = `${ALNUM}+/`;
const B64URL = `${ALNUM}-_`;

export function secretCorpus(seed = 20240601): SecretSample[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const chars = (alphabet: string, n: number) =>
    Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join("");
  // Random strings can by chance be all letters; real tokens of these lengths practically never are.
  const mixed = (alphabet: string, n: number) => {
    for (;;) {
      const s = chars(alphabet, n);
      if ([/[0-9]/, /[A-Z]/, /[a-z]/].every((c) => !c.test(alphabet) || c.test(s))) return s;
    }
  };
  const uuid = () => `${chars(HEX, 8)}-${chars(HEX, 4)}-4${chars(HEX, 3)}-a${chars(HEX, 3)}-${chars(HEX, 12)}`;
  const b64 = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256))).toString("base64");
  const b64url = (s: string) => Buffer.from(s).toString("base64url");
  const pemBody = (bytes: number) => (b64(bytes).match(/.{1,64}/g) ?? []).join("\n");

  const out: SecretSample[] = [];
  const add = (kind: string, values: string[], text: string) => out.push({ kind, values, text });

  /** A bare token in six kinds of places. */
  const contexts = (name: string, v: string): string[] => [
    `${name}=${v}`,
    `export ${name}="${v}"`,
    `{\n  "${name.toLowerCase()}": "${v}",\n  "region": "eu-west-1"\n}`,
    `${name.toLowerCase()}: ${v}\nretries: 3`,
    `const client = createClient({ key: "${v}" });`,
    `2024-06-01T09:12:44.120Z INFO request failed; credential=${v} status=401`,
  ];
  const tokenKind = (kind: string, name: string, make: () => string, n = 4) => {
    for (let i = 0; i < n; i++) {
      const v = make();
      add(kind, [v], pick(contexts(name, v)));
    }
  };

  tokenKind(
    "aws-access-key-id",
    "AWS_ACCESS_KEY_ID",
    () => `${pick(["AKIA", "ASIA"])}${chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`,
    5,
  );
  add(
    "aws-access-key-id",
    ["AKIA" + "Q3EGRTXMPLE7ZK4Q"],
    "aws s3 ls failed for key AKIAQ3EGRTXMPLE7ZK4Q: AccessDenied",
  );
  for (let i = 0; i < 4; i++) {
    const v = mixed(B64, 40);
    add(
      "aws-secret-access-key",
      [v],
      pick([
        `aws_secret_access_key = ${v}`,
        `AWS_SECRET_ACCESS_KEY=${v}`,
        `{"AccessKeyId": "AKIA${chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}", "SecretAccessKey": "${v}"}`,
        `export AWS_SECRET_ACCESS_KEY="${v}"`,
      ]),
    );
  }
  for (let i = 0; i < 3; i++) {
    const keyId = chars(HEX, 40);
    const body = pemBody(1190);
    const escaped = `-----BEGIN PRIVATE KEY-----\\n${body.replace(/\n/g, "\\n")}\\n-----END PRIVATE KEY-----\\n`;
    const text = JSON.stringify(
      {
        type: "service_account",
        project_id: `acme-prod-${chars(DIGITS, 6)}`,
        private_key_id: keyId,
        private_key: "PLACEHOLDER",
        client_email: `deployer@acme-prod-${chars(DIGITS, 6)}.iam.gserviceaccount.com`,
        client_id: chars(DIGITS, 21),
      },
      null,
      2,
    ).replace("PLACEHOLDER", escaped);
    add("gcp-service-account-key", [keyId, ...body.split("\n").filter((l) => l.length > 20)], text);
  }
  tokenKind("gcp-api-key", "GOOGLE_MAPS_API_KEY", () => `AIza${mixed(B64URL, 35)}`);
  tokenKind("google-oauth-client-secret", "GOOGLE_CLIENT_SECRET", () => `GOCSPX-${mixed(B64URL, 28)}`, 3);
  tokenKind("google-oauth-access-token", "GOOGLE_ACCESS_TOKEN", () => `ya29.${mixed(B64URL, 120)}`, 2);
  for (let i = 0; i < 4; i++) {
    const key = b64(64);
    const account = `acme${chars(LOWER + DIGITS, 8)}`;
    add(
      "azure-storage-key",
      [key],
      pick([
        `AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=https;AccountName=${account};AccountKey=${key};EndpointSuffix=core.windows.net"`,
        `"ConnectionStrings": { "Blob": "DefaultEndpointsProtocol=https;AccountName=${account};AccountKey=${key}" }`,
        `az storage blob upload -f out.zip --connection-string "AccountName=${account};AccountKey=${key}"`,
      ]),
    );
  }
  for (let i = 0; i < 3; i++) {
    const sig = encodeURIComponent(b64(32));
    add(
      "azure-sas-signature",
      [sig],
      `GET https://acme${chars(LOWER, 6)}.blob.core.windows.net/builds/app.zip?sv=2022-11-02&ss=b&srt=o&sp=r&se=2025-01-01T00:00:00Z&spr=https&sig=${sig} 200`,
    );
  }
  tokenKind(
    "azure-client-secret",
    "AZURE_CLIENT_SECRET",
    () => `${chars(ALNUM, 3)}${chars(DIGITS, 1)}Q~${mixed(`${ALNUM}_~.-`, 34)}`,
    4,
  );
  tokenKind(
    "github-token",
    "GITHUB_TOKEN",
    () => `${pick(["ghp", "gho", "ghu", "ghs", "ghr"])}_${mixed(ALNUM, 36)}`,
    6,
  );
  tokenKind("github-token", "GH_PAT", () => `github_pat_${mixed(ALNUM, 22)}_${mixed(ALNUM, 59)}`, 2);
  tokenKind(
    "gitlab-token",
    "GITLAB_TOKEN",
    () => `${pick(["glpat", "glrt", "gldt", "glptt"])}-${mixed(B64URL, 20)}`,
    4,
  );
  tokenKind(
    "slack-token",
    "SLACK_BOT_TOKEN",
    () => `${pick(["xoxb", "xoxp", "xoxa"])}-${chars(DIGITS, 12)}-${chars(DIGITS, 13)}-${mixed(ALNUM, 24)}`,
    4,
  );
  tokenKind(
    "slack-token",
    "SLACK_APP_TOKEN",
    () => `xapp-1-A${chars(UPPER + DIGITS, 10)}-${chars(DIGITS, 13)}-${chars(HEX, 64)}`,
    1,
  );
  for (let i = 0; i < 3; i++) {
    const path = `services/T${chars(UPPER + DIGITS, 8)}/B${chars(UPPER + DIGITS, 10)}/${mixed(ALNUM, 24)}`;
    add(
      "slack-webhook",
      [path],
      pick([
        `SLACK_WEBHOOK_URL=https://hooks.slack.com/${path}`,
        `curl -X POST -d '{"text":"deploy done"}' https://hooks.slack.com/${path}`,
        `webhook: "https://hooks.slack.com/${path}"`,
      ]),
    );
  }
  tokenKind(
    "stripe-key",
    "STRIPE_SECRET_KEY",
    () => `${pick(["sk_live", "rk_live", "sk_test"])}_${mixed(ALNUM, pick([24, 99]))}`,
    5,
  );
  tokenKind(
    "openai-api-key",
    "OPENAI_API_KEY",
    () => pick([`sk-proj-${mixed(B64URL, 156)}`, `sk-${mixed(ALNUM, 48)}`]),
    5,
  );
  tokenKind("anthropic-api-key", "ANTHROPIC_API_KEY", () => `sk-ant-api03-${mixed(B64URL, 93)}AA`, 4);
  tokenKind("npm-token", "NPM_TOKEN", () => `npm_${mixed(ALNUM, 36)}`, 3);
  for (let i = 0; i < 3; i++) {
    const v = pick([uuid(), `npm_${mixed(ALNUM, 36)}`]);
    // Any registry host: the rule keys on ":_authToken=", never on a host name.
    add(
      v.startsWith("npm_") ? "npm-token" : "npm-auth-token",
      [v],
      `@acme:registry=https://packages.internal.example/\n//packages.internal.example/:_authToken=${v}\nalways-auth=true`,
    );
  }
  for (let i = 0; i < 5; i++) {
    const header = b64url(JSON.stringify({ alg: pick(["HS256", "RS256", "ES256"]), typ: "JWT" }));
    const payload = b64url(
      JSON.stringify({ sub: uuid(), iat: 1717230000 + i, exp: 1717233600 + i, scope: "repo:read" }),
    );
    const jwt = `${header}.${payload}.${chars(B64URL, 43)}`;
    add(
      "jwt",
      [jwt],
      pick([
        `Cookie: session=${jwt}; Path=/`,
        `{"id_token": "${jwt}"}`,
        `DEBUG decoded token ${jwt} for user`,
        `?access=${jwt}&next=/home`,
      ]),
    );
  }
  for (const label of [
    "RSA PRIVATE KEY",
    "EC PRIVATE KEY",
    "PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "DSA PRIVATE KEY",
  ]) {
    const body = pemBody(label.startsWith("EC") ? 121 : 600);
    const lines = body.split("\n");
    add(
      "private-key",
      lines.filter((l) => l.length > 20),
      `# deploy key\n-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`,
    );
  }
  {
    // A block cut off mid-way (a truncated paste, a log line limit): no END line.
    const body = pemBody(400);
    add(
      "private-key",
      body.split("\n").filter((l) => l.length > 20),
      `key material follows\n-----BEGIN RSA PRIVATE KEY-----\n${body}`,
    );
  }
  for (let i = 0; i < 3; i++) {
    const body = pemBody(300);
    add(
      "openssh-private-key",
      body.split("\n").filter((l) => l.length > 20),
      `$ cat ~/.ssh/id_ed25519\n-----BEGIN OPENSSH PRIVATE KEY-----\n${body}\n-----END OPENSSH PRIVATE KEY-----`,
    );
  }
  for (let i = 0; i < 5; i++) {
    const pass = mixed(`${ALNUM}!*-_`, 14 + i);
    add(
      "password-in-url",
      [pass],
      pick([
        `DATABASE_URL=postgres://app_user:${pass}@db.internal:5432/app`,
        `redis://default:${pass}@cache.internal:6379/0`,
        `git clone https://deploy:${pass}@git.example.org/acme/site.git`,
        `amqp://worker:${pass}@mq.example.org/vhost`,
        `ERROR could not connect to mongodb+srv://admin:${pass}@cluster0.example.net/test`,
      ]),
    );
  }
  for (let i = 0; i < 6; i++) {
    const v = mixed(pick([ALNUM, B64URL, `${HEX}ABCDEF`]), 32 + i);
    add(
      "high-entropy-assignment",
      [v],
      pick([
        `api_key = "${v}"`,
        `SECRET=${v}`,
        `{"token": "${v}"}`,
        `client_secret: ${v}`,
        `SESSION_SECRET='${v}'`,
        `config.apiKey = '${v}';`,
        `X-Api-Key: ${v}`,
      ]),
    );
  }
  for (const pw of ["hunter2!", "Tr0ub4dor&3", "correct-horse-battery-staple-91", "P@ssw0rd2024!", "s3cr3t-Sauce"]) {
    add(
      "password-assignment",
      [pw],
      pick([`password: ${pw}`, `DB_PASSWORD=${pw}`, `"password": "${pw}"`, `spring.datasource.password=${pw}`]),
    );
  }
  tokenKind("twilio-api-key", "TWILIO_API_KEY", () => `SK${chars(HEX, 32)}`, 3);
  tokenKind("sendgrid-api-key", "SENDGRID_API_KEY", () => `SG.${mixed(B64URL, 22)}.${mixed(B64URL, 43)}`, 3);
  tokenKind("mailgun-api-key", "MAILGUN_API_KEY", () => `key-${chars(HEX, 32)}`, 3);
  tokenKind("heroku-api-key", "HEROKU_API_KEY", () => `HRKU-AA${mixed(B64URL, 58)}`, 2);
  for (let i = 0; i < 2; i++) {
    const v = uuid();
    add("heroku-api-key", [v], `HEROKU_API_KEY=${v}`);
  }
  tokenKind("digitalocean-token", "DIGITALOCEAN_TOKEN", () => `dop_v1_${chars(HEX, 64)}`, 3);
  tokenKind(
    "discord-bot-token",
    "DISCORD_BOT_TOKEN",
    () =>
      `${Buffer.from(`${1 + Math.floor(rnd() * 9)}${chars(DIGITS, 17)}`).toString("base64")}.${chars(B64URL, 6)}.${mixed(B64URL, 38)}`,
    3,
  );
  for (let i = 0; i < 2; i++) {
    const v = mixed(B64URL, 68);
    add("discord-webhook", [v], `DISCORD_WEBHOOK=https://discord.com/api/webhooks/${chars(DIGITS, 18)}/${v}`);
  }
  tokenKind("telegram-bot-token", "TELEGRAM_BOT_TOKEN", () => `${chars(DIGITS, 10)}:AA${mixed(B64URL, 33)}`, 3);
  tokenKind("huggingface-token", "HF_TOKEN", () => `hf_${mixed(UPPER + LOWER, 34)}`, 3);
  tokenKind("shopify-token", "SHOPIFY_ACCESS_TOKEN", () => `${pick(["shpat", "shpss", "shpca"])}_${chars(HEX, 32)}`, 3);
  for (let i = 0; i < 3; i++) {
    const v = mixed(B64URL, 40);
    add(
      "authorization-header",
      [v],
      pick([
        `curl -H "Authorization: Bearer ${v}" https://api.example.com/v1/me`,
        `> GET /v1/me HTTP/1.1\n> Authorization: Bearer ${v}`,
        `{"headers": {"Authorization": "Bearer ${v}"}}`,
      ]),
    );
  }
  {
    const basic = Buffer.from(`ci-bot:${mixed(ALNUM, 20)}`).toString("base64");
    add("authorization-header", [basic], `Authorization: Basic ${basic}`);
  }
  for (let i = 0; i < 2; i++) {
    const v = mixed(B64URL, 44);
    add("bearer-token", [v], `2024-06-01 12:00:01 DEBUG retrying upload with Bearer ${v} (attempt 2)`);
  }
  // Credentials on a command line or in a URL query, as a shell tool's target shows them.
  const password = () => `${chars(ALNUM, 1)}${mixed(`${ALNUM}!*_`, 13)}`;
  for (let i = 0; i < 3; i++) {
    const pw = password();
    add(
      "password-assignment",
      [pw],
      pick([
        `PGPASSWORD='${pw}' psql -h db.internal -U app -c 'select 1'`,
        `export PGPASSWORD="${pw}"`,
        `SSHPASS='${pw}' sshpass -e rsync -a dist/ deploy@web1:/srv/app`,
      ]),
    );
  }
  for (let i = 0; i < 3; i++) {
    const pw = password();
    add(
      "mysql-password-flag",
      [pw],
      pick([
        `mysql -h db.internal -u app -p${pw} app < schema.sql`,
        `mysqldump -u root -p'${pw}' --all-databases | gzip > all.sql.gz`,
        `mariadb -uroot -p"${pw}" -e 'show databases'`,
      ]),
    );
  }
  for (let i = 0; i < 3; i++) {
    const pw = password();
    add(
      "password-flag",
      [pw],
      pick([
        `mysql --password=${pw} -e 'show tables' app`,
        `docker login -u ci --password ${pw} registry.example.org`,
        `openssl pkcs12 -export -in cert.pem -inkey key.pem -passout pass:${pw} -out cert.p12`,
        `wget --http-user=ci --http-password='${pw}' https://files.example.org/build.zip`,
      ]),
    );
  }
  for (let i = 0; i < 3; i++) {
    const pw = password();
    add(
      "curl-user-password",
      [pw],
      pick([
        `curl -u deploy:${pw} https://api.example.com/v1/releases`,
        `curl -s --user 'ci-bot:${pw}' -X POST https://ci.example.org/job/build`,
        `curl -fsSL -uadmin:${pw} https://nexus.example.org/service/rest/v1/status`,
      ]),
    );
  }
  {
    const pw = password();
    add("sshpass-password", [pw], `sshpass -p '${pw}' ssh -o StrictHostKeyChecking=no deploy@web1 uptime`);
  }
  for (let i = 0; i < 4; i++) {
    const v = mixed(B64URL, 32);
    add(
      "url-query-credential",
      [v],
      pick([
        `curl 'https://app.example.com/reset?token=${v}'`,
        `GET /v1/items?api_key=${v}&page=2 200 31ms`,
        `https://app.example.com/callback#access_token=${v}&token_type=bearer&expires_in=3600`,
        `<a href="https://files.example.org/dl?id=42&amp;signature=${v}">download</a>`,
      ]),
    );
  }
  for (let i = 0; i < 2; i++) {
    const v = mixed(ALNUM, 20);
    add("oauth-authorization-code", [v], `GET /oauth/callback?code=${v}&state=${chars(HEX, 16)} 302`);
  }

  // Hidden as written (issue 11 item 7): encoded, split across lines, zero-width characters inside,
  // PEM bodies without their BEGIN line. Only the hidden-secret finders see these; none sits under a
  // credential-named key, where the assignment rule would find it anyway.
  const hide = (kind: string, values: string[], text: string) => out.push({ kind, values, text, hidden: true });
  const github = () => `ghp_${mixed(ALNUM, 36)}`;
  const anthropic = () => `sk-ant-api03-${mixed(B64URL, 93)}AA`;
  const slack = () => `xoxb-${chars(DIGITS, 12)}-${chars(DIGITS, 13)}-${mixed(ALNUM, 24)}`;
  const stripe = () => `sk_live_${mixed(ALNUM, 24)}`;
  {
    const enc = Buffer.from(github()).toString("base64");
    hide("github-token", [enc], `$ echo ${enc} | base64 -d > ~/.git-credentials`);
  }
  {
    const enc = Buffer.from(`ANTHROPIC_API_KEY=${anthropic()}\n`).toString("base64");
    hide("anthropic-api-key", [enc], `kind: Secret\ndata:\n  app.env: ${enc}\n`);
  }
  {
    const enc = Buffer.from(JSON.stringify({ bot: slack(), channel: "#ops" })).toString("base64url");
    hide("slack-token", [enc], `{"event": "install", "payload": "${enc}"}`);
  }
  {
    const enc = Buffer.from(`${chars(LOWER, 6)}:${stripe()}`).toString("base64");
    hide("stripe-key", [enc], `2024-06-01T09:12:44Z DEBUG forwarding header X-Upstream: ${enc}`);
  }
  {
    const v = github();
    const enc = [...v].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`).join("");
    hide("github-token", [enc], `GET /redirect?next=${enc}&lang=en 302`);
  }
  {
    const v = anthropic();
    const enc = v.replace(/-/g, "%2D");
    hide("anthropic-api-key", [enc], `<a href="https://console.example.com/import?q=${enc}">import</a>`);
  }
  {
    const v = encodeURIComponent(encodeURIComponent(`token ${slack()}`));
    hide("slack-token", [v], `state=${v}`);
  }
  {
    const v = github();
    hide(
      "github-token",
      [v.slice(0, 20), v.slice(20)],
      `remote: paste ${v.slice(0, 20)}\n${v.slice(20)}\nremote: done`,
    );
  }
  {
    const v = anthropic();
    hide(
      "anthropic-api-key",
      [v.slice(0, 50), v.slice(50)],
      `{\n  "note": "${v.slice(0, 50)}\n      ${v.slice(50)}"\n}`,
    );
  }
  {
    const v = `AKIA${chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`;
    hide("aws-access-key-id", [v.slice(0, 10), v.slice(10)], `id ${v.slice(0, 10)}\r\n${v.slice(10)} (rotated)`);
  }
  {
    const v = github();
    hide("github-token", [v.slice(0, 15), v.slice(15)], `label = ["${v.slice(0, 15)}\u200B${v.slice(15)}"]`);
  }
  {
    const v = slack();
    hide(
      "slack-token",
      [v.slice(0, 12), v.slice(13, 30), v.slice(31)],
      `bot ${v.slice(0, 12)}\u2060${v.slice(12, 30)}\u00AD${v.slice(30)} ready`,
    );
  }
  {
    const v = stripe();
    hide("stripe-key", [v.slice(0, 14), v.slice(14)], `charge with \uFEFF${v.slice(0, 14)}\u200C${v.slice(14)} now`);
  }
  {
    const env = `# deploy\nREGION=eu-west-1\nNOTE=rotated monthly by the platform team\nGITHUB=${github()}\n`;
    const lines = Buffer.from(env)
      .toString("base64")
      .match(/.{1,76}/g)!;
    hide(
      "github-token",
      lines.filter((l) => l.length > 20),
      `$ base64 .env\n${lines.join("\n")}\n$ `,
    );
  }
  // DER private keys (PKCS#8 RSA, PKCS#1 RSA, SEC1 EC), their base64 bodies shown without the BEGIN line.
  const der = (prefix: number[], n: number) =>
    Buffer.concat([Buffer.from(prefix), Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)))]);
  const body64 = (b: Buffer) => (b.toString("base64").match(/.{1,64}/g) ?? []).join("\n");
  {
    const body = body64(
      der(
        [
          0x30, 0x82, 0x04, 0xbd, 0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
          0x01, 0x01, 0x05, 0x00,
        ],
        600,
      ),
    );
    hide(
      "private-key",
      body.split("\n").filter((l) => l.length > 20),
      `key material (header lost in the paste):\n${body}\n`,
    );
  }
  {
    const body = body64(der([0x30, 0x82, 0x04, 0xa4, 0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01, 0x00], 500));
    hide(
      "private-key",
      body.split("\n").filter((l) => l.length > 20),
      `${body}\n-----END RSA PRIVATE KEY-----`,
    );
  }
  {
    const body = body64(der([0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20], 100));
    hide(
      "private-key",
      body.split("\n").filter((l) => l.length > 20),
      `const pem = "${body.replace(/\n/g, "\\n")}";`,
    );
  }
  {
    const body = body64(Buffer.concat([Buffer.from("openssh-key-v1\0"), der([0, 0, 0, 4], 300)]));
    hide(
      "openssh-private-key",
      body.split("\n").filter((l) => l.length > 20),
      `# id_ed25519 (body only)\n${body}`,
    );
  }
  return out;
}
