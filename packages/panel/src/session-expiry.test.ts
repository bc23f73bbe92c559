import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Panel, startPanel } from "./start.js";
import { panelWorksite } from "./testing/fixture.js";
import { request, signIn } from "./testing/http.js";

// The panel's clock is the test's (hours pass at once); the server, the cookie and the requests are real.
describe("a panel session ends (a hand-set clock)", () => {
  const HOUR = 3_600_000;
  let panel: Panel | undefined;
  let now = Date.parse("2026-12-06T09:00:00Z");
  afterEach(async () => panel?.close());

  async function open() {
    const root = await panelWorksite();
    panel = await startPanel({ worksites: [root], sessionLimits: { now: () => now } });
    const host = `127.0.0.1:${panel.port}`;
    const session = await signIn(panel.port, panel.loginUrl);
    const page = () => request(panel!.port, { path: "/t/0", headers: { host, cookie: session.cookie } });
    const steer = () =>
      request(panel!.port, {
        method: "POST",
        path: "/t/0/inbox",
        headers: {
          host,
          origin: `http://${host}`,
          cookie: session.cookie,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ csrf: session.csrf, kind: "steer", text: "look at the tests first" }).toString(),
      });
    const audited = async () => (await readFile(join(root, ".worksite", "audit.jsonl"), "utf8").catch(() => "")).trim();
    return { page, steer, audited };
  }

  it("after 8 hours without a request: pages and posts are refused, and the reply says why and how to sign in", async () => {
    const { page, steer, audited } = await open();
    expect((await steer()).status).toBeLessThan(400); // the same post, signed in: it lands
    expect(await audited()).toMatch(/steering sent from the panel: look at the tests first/);
    now += 7 * HOUR;
    expect((await page()).status).toBe(200); // used within the idle time: the clock starts again
    now += 7 * HOUR;
    expect((await page()).status).toBe(200);
    now += 8 * HOUR;
    const refused = await page();
    expect(refused.status).toBe(401);
    expect(refused.body).toMatch(/session ended because it was idle for 8 hours.*Press Enter in the terminal/);
    const before = await audited();
    const post = await steer();
    expect(post.status).toBe(401);
    expect(await audited()).toBe(before); // nothing was sent in the person's name
  });

  it("a day after signing in, however busy: refused; a fresh login link opens a new session", async () => {
    const { page } = await open();
    for (let h = 0; h < 23; h++) {
      now += HOUR;
      expect((await page()).status).toBe(200);
    }
    now += HOUR;
    const refused = await page();
    expect(refused.status).toBe(401);
    expect(refused.body).toMatch(/signed in 24 hours ago/);
    const again = await signIn(panel!.port, panel!.newLoginUrl());
    const reply = await request(panel!.port, {
      path: "/t/0",
      headers: { host: `127.0.0.1:${panel!.port}`, cookie: again.cookie },
    });
    expect(reply.status).toBe(200);
  });
});
