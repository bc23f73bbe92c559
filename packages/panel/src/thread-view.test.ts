import { join } from "node:path";
import { openAuditLog } from "@worksite/core";
import { readState, writeState } from "@worksite/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Panel, startPanel } from "./start.js";
import { panelWorksite, waitingApproval } from "./testing/fixture.js";
import { request, signIn } from "./testing/http.js";

let first: string;
let second: string;
let panel: Panel;
let cookie: string;
let csrf: string;

beforeAll(async () => {
  first = await panelWorksite();
  second = await panelWorksite();
  await waitingApproval(second, "git tag v9");
  await writeState(first, { ...(await readState(first)), nextWake: "2026-12-07T09:00:00.000Z" });
  const audit = openAuditLog(join(first, ".worksite", "audit.jsonl"));
  for (let k = 1; k <= 120; k++)
    await audit.append({
      type: "decision",
      actor: "agent",
      tool: k % 3 ? "file.read" : "shell.run",
      target: `target-${k}`,
      tier: k % 3 ? "allow" : "forbidden",
      outcome: k % 3 ? "ok" : "refused",
    });
  panel = await startPanel({ worksites: [first, second] });
  ({ cookie, csrf } = await signIn(panel.port, panel.loginUrl));
});
afterAll(() => panel.close());

const get = (path: string) => request(panel.port, { path, headers: { host: `127.0.0.1:${panel.port}`, cookie } });

describe("several threads", () => {
  it("the first page lists each thread with its state and what waits for the person", async () => {
    const page = await get("/");
    expect(page.status).toBe(200);
    expect(page.body).toContain('href="/t/0"');
    expect(page.body).toContain('href="/t/1"');
    expect(page.body).toMatch(/1 waiting for you/);
  });

  it("a thread the panel was not given is not found", async () => {
    for (const path of ["/t/2", "/t/-1", "/t/x", "/t/0x1"]) expect((await get(path)).status, path).toBe(404);
  });
});

describe("the thread page", () => {
  it("shows the next wake the scheduler wrote into state.json", async () => {
    expect((await get("/t/0")).body).toContain("2026-12-07T09:00:00.000Z (scheduled)");
  });

  it("denying from the panel records person:panel and the reason", async () => {
    const approval = await waitingApproval(second, "git tag v10");
    const reply = await request(panel.port, {
      method: "POST",
      path: `/t/1/approvals/${approval.id}/deny`,
      headers: {
        host: `127.0.0.1:${panel.port}`,
        origin: `http://127.0.0.1:${panel.port}`,
        cookie,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ csrf, reason: "not today" }).toString(),
    });
    expect(reply.status).toBe(303);
    const page = await get("/t/1");
    expect(page.body).toContain(`Denied ${approval.id}`);
    expect(page.body).not.toContain(`id="${approval.id}"`);
  });
});

describe("the audit log page", () => {
  it("pages through the log newest first, 50 at a time, with the chain's state", async () => {
    const one = await get("/t/0/audit");
    expect(one.body).toContain("120 of 120 entries, newest first");
    expect(one.body).toContain("chain intact</strong>: 120 entries");
    expect(one.body).toContain("target-120");
    expect(one.body).not.toContain("target-70<");
    expect(one.body).toContain("page 1 of 3");
    const three = await get("/t/0/audit?page=3");
    expect(three.body).toContain("target-1<");
    expect(three.body).not.toContain("target-21<");
  });

  it("filters by tool, tier and outcome, and keeps the filter across pages", async () => {
    const refused = await get("/t/0/audit?tool=shell.run&tier=forbidden&outcome=refused");
    expect(refused.body).toContain("40 of 120 entries");
    expect(refused.body).not.toMatch(/<td>file\.read/);
    expect((await get("/t/0/audit?tool=file.read")).body).toContain('href="/t/0/audit?tool=file.read&amp;page=2"');
  });
});
