import { symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { listApprovals } from "@worksite/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Panel, startPanel } from "./start.js";
import { panelWorksite, plantArtifacts, put, waitingApproval } from "./testing/fixture.js";
import { request, signIn } from "./testing/http.js";

let root: string;
let outside: string;
let panel: Panel;
let host: string;
let session: { cookie: string; csrf: string };

beforeAll(async () => {
  root = await panelWorksite();
  outside = await panelWorksite();
  await put(outside, "secret.txt", "OUTSIDE-SECRET");
  await put(root, ".worksite/private.txt", "CONTROL-STATE");
  await plantArtifacts(root, [{ path: "artifacts/round-1/report.md", kind: "markdown", round: 1, data: "# fine\n" }]);
  await symlink(join(outside, "secret.txt"), join(root, "artifacts", "round-1", "link.txt"));
  panel = await startPanel({ worksites: [root] });
  host = `127.0.0.1:${panel.port}`;
  session = await signIn(panel.port, panel.loginUrl);
});
afterAll(() => panel.close());

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  request(panel.port, {
    method: "POST",
    path,
    headers: {
      host,
      origin: `http://${host}`,
      cookie: session.cookie,
      "content-type": "application/x-www-form-urlencoded",
      ...headers,
    },
    body: form(fields),
  });

describe("the panel answers only its person", () => {
  it("a request without the session cookie sees nothing: pages, evidence, events and even the script", async () => {
    for (const path of [
      "/",
      "/t/0",
      "/t/0/rounds",
      "/t/0/audit",
      "/t/0/raw?path=artifacts/round-1/report.md",
      "/t/0/events",
      "/static/panel.js",
    ]) {
      const reply = await request(panel.port, { path, headers: { host } });
      expect(reply.status, path).toBe(401);
      expect(reply.body, path).not.toContain("fine");
    }
  });

  it("a made-up or stale session cookie sees nothing either", async () => {
    const reply = await request(panel.port, {
      path: "/t/0",
      headers: { host, cookie: `worksite_panel_${panel.port}=guess` },
    });
    expect(reply.status).toBe(401);
  });

  it("the login link works once, and sets an HttpOnly, SameSite=Strict cookie", async () => {
    const url = new URL(panel.newLoginUrl());
    const first = await request(panel.port, { path: `${url.pathname}${url.search}`, headers: { host } });
    expect(first.status).toBe(303);
    expect(String(first.headers["set-cookie"])).toMatch(/HttpOnly/);
    expect(String(first.headers["set-cookie"])).toMatch(/SameSite=Strict/);
    const again = await request(panel.port, { path: `${url.pathname}${url.search}`, headers: { host } });
    expect(again.status).toBe(401);
    expect(again.headers["set-cookie"]).toBeUndefined();
  });

  it("a request with Host evil.example is refused even with a valid session (DNS rebinding)", async () => {
    for (const h of ["evil.example", `evil.example:${panel.port}`, "127.0.0.1.evil.example"]) {
      const reply = await request(panel.port, { path: "/t/0", headers: { host: h, cookie: session.cookie } });
      expect(reply.status, h).toBe(421);
      expect(reply.body).not.toContain("Panel test thread");
    }
  });

  it("every page carries a strict CSP: no inline script, only the panel's nonce'd file", async () => {
    const reply = await request(panel.port, { path: "/t/0", headers: { host, cookie: session.cookie } });
    expect(reply.status).toBe(200);
    const csp = String(reply.headers["content-security-policy"]);
    expect(csp).toMatch(/script-src 'nonce-[^']+'/);
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
  });
});

describe("every POST needs the panel's own page: CSRF token and Origin", () => {
  it("an approve without the CSRF token is refused and the call still waits", async () => {
    const approval = await waitingApproval(root, "git tag v-nocsrf");
    const reply = await post(`/t/0/approvals/${approval.id}/approve`, {});
    expect(reply.status).toBe(403);
    const wrong = await post(`/t/0/approvals/${approval.id}/approve`, { csrf: `${session.csrf}x` });
    expect(wrong.status).toBe(403);
    expect((await listApprovals(root)).find((a) => a.id === approval.id)?.status).toBe("pending");
  });

  it("an approve from another Origin (even another loopback port) is refused", async () => {
    const approval = await waitingApproval(root, "git tag v-origin");
    for (const origin of ["http://127.0.0.1:3000", "http://evil.example", "null"]) {
      const reply = await post(`/t/0/approvals/${approval.id}/approve`, { csrf: session.csrf }, { origin });
      expect(reply.status, origin).toBe(403);
    }
    const noOrigin = await request(panel.port, {
      method: "POST",
      path: `/t/0/approvals/${approval.id}/approve`,
      headers: { host, cookie: session.cookie, "content-type": "application/x-www-form-urlencoded" },
      body: form({ csrf: session.csrf }),
    });
    expect(noOrigin.status).toBe(403);
    const crossSite = await post(
      `/t/0/approvals/${approval.id}/approve`,
      { csrf: session.csrf },
      { "sec-fetch-site": "same-site" },
    );
    expect(crossSite.status).toBe(403);
    expect((await listApprovals(root)).find((a) => a.id === approval.id)?.status).toBe("pending");
  });

  it("with the token and the panel's Origin, approving works and is recorded as person:panel, sealed", async () => {
    const approval = await waitingApproval(root, "git tag v-ok");
    const reply = await post(`/t/0/approvals/${approval.id}/approve`, { csrf: session.csrf });
    expect(reply.status).toBe(303);
    const after = (await listApprovals(root)).find((a) => a.id === approval.id);
    expect(after?.status).toBe("approved");
    expect(after?.approvedBy).toBe("person:panel");
    expect(after?.seal).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("evidence is served from artifacts/ of the worksite only", () => {
  const raw = (path: string) =>
    request(panel.port, {
      path: `/t/0/raw?path=${encodeURIComponent(path)}`,
      headers: { host, cookie: session.cookie },
    });

  it("serves an artifact as plain text with nosniff and a sandboxing CSP", async () => {
    const reply = await raw("artifacts/round-1/report.md");
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toMatch(/^text\/plain/);
    expect(reply.headers["x-content-type-options"]).toBe("nosniff");
    expect(String(reply.headers["content-security-policy"])).toContain("sandbox");
  });

  it("a path outside the worksite, into its control state, or through a symlink is not served", async () => {
    for (const path of [
      "../secret.txt",
      `${outside}/secret.txt`,
      "artifacts/../.worksite/private.txt",
      "artifacts/round-1/../../.worksite/private.txt",
      ".worksite/private.txt",
      "PERMISSIONS.md",
      "artifacts/round-1/link.txt",
      "artifacts\\..\\.worksite\\private.txt",
      "artifacts/round-1/report.md\0.png",
    ]) {
      for (const reply of [
        await raw(path),
        await request(panel.port, {
          path: `/t/0/artifact?path=${encodeURIComponent(path)}`,
          headers: { host, cookie: session.cookie },
        }),
      ]) {
        expect(reply.status, path).toBe(404);
        expect(reply.body).not.toContain("OUTSIDE-SECRET");
        expect(reply.body).not.toContain("CONTROL-STATE");
      }
    }
  });

  it("an HTML artifact is served as text, never as a page", async () => {
    await writeFile(join(root, "artifacts", "round-1", "page.html"), "<script>alert(1)</script>");
    const reply = await raw("artifacts/round-1/page.html");
    expect(reply.headers["content-type"]).toMatch(/^text\/plain/);
  });
});

describe("live updates", () => {
  it("an events stream resumed with an old Last-Event-ID catches up at once", async () => {
    const controller = new AbortController();
    const res = await fetch(`http://${host}/t/0/events`, {
      headers: { cookie: session.cookie, "last-event-id": "1" },
      signal: controller.signal,
    });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = "";
    while (!text.includes("event: change")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toMatch(/id: \d+\nevent: change/);
  });
});
