import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { UserError, WorksiteError } from "@worksite/core";
import { checkpointDiff, discoverSkills, listCheckpoints } from "@worksite/runtime";
import { type Context, Hono } from "hono";
import {
  acceptMemory,
  approveCall,
  denyCall,
  discardDraftAction,
  filesDigest,
  memoryProposals,
  rejectMemory,
  rollbackConfirmed,
  rollbackPreview,
  runDraft,
  sendInbox,
} from "./actions.js";
import { auditPage, auditVerifyState, recentAudit } from "./audit-view.js";
import { artifactIndex, evidencePath, rawType, readEvidence } from "./evidence.js";
import { h } from "./html.js";
import { eventStream, type Watcher } from "./live.js";
import { readProgress } from "./progress.js";
import { type Auth, guard, pageHeaders, rawHeaders, type Vars } from "./security.js";
import { type NextWake, type PanelThread, threadView } from "./thread-data.js";
import { artifactPage, artifactsPage } from "./views/artifacts.js";
import { auditPageView } from "./views/audit.js";
import { changesPage, commentInstruction } from "./views/changes.js";
import { csrfField, layout, type PageContext } from "./views/layout.js";
import { listPage } from "./views/list.js";
import { memoryPage } from "./views/memory.js";
import { roundsPage } from "./views/rounds.js";
import { threadPage } from "./views/thread.js";

export interface AppOptions {
  threads: readonly PanelThread[];
  auth: Auth;
  port: number;
  watcher: Watcher;
  nextWake?: NextWake;
}

type Env = { Variables: Vars & { flash?: string } };

const staticFile = (name: string) => readFileSync(new URL(`../static/${name}`, import.meta.url), "utf8");
const diff2htmlCss = () =>
  readFileSync(createRequire(import.meta.url).resolve("diff2html/bundles/css/diff2html.min.css"), "utf8");

const AUDIT_PER_PAGE = 50;

export function createPanelApp(options: AppOptions): Hono<Env> {
  const { threads, auth, port, watcher } = options;
  const assets: Record<string, [string, string]> = {
    "panel.js": ["text/javascript; charset=utf-8", staticFile("panel.js")],
    "panel.css": ["text/css; charset=utf-8", staticFile("panel.css")],
    "diff2html.css": ["text/css; charset=utf-8", diff2htmlCss()],
  };
  const flashes = new Map<string, string>();

  const app = new Hono<Env>();
  app.use("*", guard(auth, port));

  const ctx = (c: Context<Env>, thread?: PanelThread, tab?: PageContext["tab"]): PageContext => ({
    nonce: c.get("nonce"),
    csrf: c.get("session").csrf,
    ...(thread ? { thread } : {}),
    ...(tab ? { tab } : {}),
  });
  const page = (
    c: Context<Env>,
    pc: PageContext,
    title: string,
    body: ReturnType<typeof h>,
    status: 200 | 400 | 404 = 200,
  ) =>
    c.body(layout(pc, title, body), status, { ...pageHeaders(pc.nonce), "content-type": "text/html; charset=utf-8" });
  const threadOf = (c: Context<Env>): PanelThread | undefined => {
    const raw = c.req.param("i") ?? "";
    return /^\d{1,4}$/.test(raw) ? threads[Number(raw)] : undefined;
  };
  const notFound = (c: Context<Env>) =>
    page(c, ctx(c), "Not found", h`<h1>Not found</h1><p><a href="/">all threads</a></p>`, 404);
  /** One notice a person reads after an action, kept for the next page of this session only. */
  const takeFlash = (c: Context<Env>) => {
    // The script's live refetch (of a page that may be navigating away) must not eat the notice meant for the next page.
    if (c.req.header("x-panel-live")) return undefined;
    const id = c.get("session").id;
    const text = flashes.get(id);
    flashes.delete(id);
    return text;
  };
  const act = async (c: Context<Env>, back: string, work: () => Promise<string>) => {
    let notice: string;
    try {
      notice = await work();
    } catch (error) {
      if (!UserError.isInstance(error) && !WorksiteError.isInstance(error)) throw error;
      notice = `Not done: ${(error as Error).message}`;
    }
    flashes.set(c.get("session").id, notice);
    return c.redirect(back, 303);
  };
  const form = async (c: Context<Env>) => (await c.req.parseBody()) as Record<string, string | File>;
  const text = (v: string | File | undefined) => (typeof v === "string" ? v : "");

  app.get("/static/:name", (c) => {
    const asset = assets[c.req.param("name")];
    if (!asset) return c.text("not found", 404);
    return c.body(asset[1], 200, {
      "content-type": asset[0],
      "x-content-type-options": "nosniff",
      "cache-control": "no-cache",
    });
  });

  app.get("/", async (c) => {
    if (threads.length === 1) return c.redirect("/t/0", 303);
    const views = await Promise.all(threads.map((t) => threadView(t, options.nextWake)));
    return page(c, ctx(c), "Threads", listPage(views));
  });

  app.get("/t/:i", async (c) => {
    const thread = threadOf(c);
    if (!thread) return notFound(c);
    const [view, progress, index, recent, skills] = await Promise.all([
      threadView(thread, options.nextWake),
      readProgress(thread.root),
      artifactIndex(thread.root),
      recentAudit(thread.root, 400),
      discoverSkills({ worksite: thread.root })
        .then((d) => d.skills.map((s) => s.name))
        .catch(() => [] as string[]),
    ]);
    const refusals = recent
      .filter(
        (e) =>
          e.decision !== undefined && (e.outcome === "refused" || e.outcome === "drafted" || e.outcome === "blocked"),
      )
      .slice(0, 10);
    const notice = takeFlash(c);
    return page(
      c,
      ctx(c, thread, "thread"),
      thread.name,
      threadPage({
        view,
        progress,
        artifacts: index.artifacts,
        refusals,
        skills,
        csrf: c.get("session").csrf,
        ...(notice ? { notice } : {}),
      }),
    );
  });

  app.get("/t/:i/rounds", async (c) => {
    const thread = threadOf(c);
    if (!thread) return notFound(c);
    const [progress, index, checkpoints] = await Promise.all([
      readProgress(thread.root),
      artifactIndex(thread.root),
      listCheckpoints(thread.root).catch(() => [] as number[]),
    ]);
    const notice = takeFlash(c);
    return page(
      c,
      ctx(c, thread, "rounds"),
      "Rounds",
      h`${notice ? h`<p class="notice" role="status">${notice}</p>` : ""}${roundsPage(thread.index, progress, index.artifacts, checkpoints, c.get("session").csrf, pageNumber(c))}`,
    );
  });

  app.get("/t/:i/artifacts", async (c) => {
    const thread = threadOf(c);
    if (!thread) return notFound(c);
    const index = await artifactIndex(thread.root);
    return page(
      c,
      ctx(c, thread, "artifacts"),
      "Artifacts",
      artifactsPage(thread.index, index.artifacts, index.problem, pageNumber(c)),
    );
  });

  app.get("/t/:i/artifact", async (c) => {
    const thread = threadOf(c);
    const path = evidencePath(c.req.query("path"));
    if (!thread || !path) return notFound(c);
    const got = await readEvidence(thread.root, path);
    if (!got.ok)
      return page(
        c,
        ctx(c, thread, "artifacts"),
        "Not shown",
        h`<h1>Not shown</h1><p class="problem">${got.reason}</p>`,
        404,
      );
    const { artifacts } = await artifactIndex(thread.root);
    const ref = artifacts.find((a) => a.path === path);
    const name = path.split("/").pop();
    const before = ref
      ? (artifacts
          .filter((a) => a.kind === ref.kind && a.round < ref.round && a.path.split("/").pop() === name)
          .at(-1) ??
        (ref.kind === "screenshot"
          ? artifacts.filter((a) => a.kind === "screenshot" && a.round < ref.round).at(-1)
          : undefined))
      : undefined;
    const layoutKind = c.req.query("layout") === "side" ? "side" : "line";
    return page(
      c,
      ctx(c, thread, "artifacts"),
      name ?? path,
      artifactPage(thread.index, path, ref, got.data, before, layoutKind),
    );
  });

  app.get("/t/:i/raw", async (c) => {
    const thread = threadOf(c);
    const path = evidencePath(c.req.query("path"));
    if (!thread || !path) return c.text("not served: only files under artifacts/ of this worksite", 404);
    const got = await readEvidence(thread.root, path);
    if (!got.ok) return c.text(`not served: ${got.reason}`, 404);
    return c.body(new Uint8Array(got.data), 200, rawHeaders(rawType(path)));
  });

  app.get("/t/:i/audit", async (c) => {
    const thread = threadOf(c);
    if (!thread) return notFound(c);
    const filter = {
      ...(c.req.query("tool") ? { tool: c.req.query("tool")! } : {}),
      ...(c.req.query("tier") ? { tier: c.req.query("tier")! } : {}),
      ...(c.req.query("outcome") ? { outcome: c.req.query("outcome")! } : {}),
    };
    const [p, verify] = await Promise.all([
      auditPage(thread.root, filter, pageNumber(c), AUDIT_PER_PAGE),
      auditVerifyState(thread.root),
    ]);
    return page(c, ctx(c, thread, "audit"), "Audit log", auditPageView(thread.index, p, filter, verify));
  });

  app.get("/t/:i/memory", async (c) => {
    const thread = threadOf(c);
    if (!thread) return notFound(c);
    let proposals: Awaited<ReturnType<typeof memoryProposals>> = [];
    let problem: string | undefined;
    try {
      proposals = await memoryProposals(thread.root);
    } catch (error) {
      if (!UserError.isInstance(error) && !WorksiteError.isInstance(error)) throw error;
      problem = (error as Error).message;
    }
    return page(
      c,
      ctx(c, thread, "memory"),
      "Memory",
      memoryPage(thread.index, proposals, problem, c.get("session").csrf, takeFlash(c)),
    );
  });

  app.get("/t/:i/changes", async (c) => {
    const thread = threadOf(c);
    if (!thread) return notFound(c);
    const checkpoints = await listCheckpoints(thread.root).catch(() => [] as number[]);
    const asked = c.req.query("round");
    const whole = asked === "all";
    const round = whole ? undefined : Number.parseInt(asked ?? "", 10) || checkpoints.at(-1);
    const before = (r: number) => checkpoints.filter((x) => x < r).at(-1);
    const last = checkpoints.at(-1);
    // A round's changes: its checkpoint against the round before. The whole thread: the last against the first.
    const diff =
      whole && last !== undefined
        ? await checkpointDiff(thread.root, checkpoints[0] === last ? undefined : checkpoints[0], last)
        : round !== undefined && checkpoints.includes(round)
          ? await checkpointDiff(thread.root, before(round), round)
          : "";
    return page(
      c,
      ctx(c, thread, "changes"),
      "Changes",
      changesPage(
        thread.index,
        {
          scope: whole ? "the whole thread" : round !== undefined ? `round ${round}` : "no round yet",
          scopeKey: whole ? "all" : String(round ?? ""),
          diff,
          checkpoints,
          layout: c.req.query("layout") === "side" ? "side" : "line",
        },
        c.get("session").csrf,
        takeFlash(c),
      ),
    );
  });

  app.post("/t/:i/comment", async (c) => {
    const thread = threadOf(c);
    if (!thread) return notFound(c);
    const body = await form(c);
    const scopeKey = text(body.round);
    const scope = scopeKey === "all" ? "the whole thread" : `round ${Number.parseInt(scopeKey, 10) || "?"}`;
    const line = Number.parseInt(text(body.line), 10);
    const file = text(body.file).slice(0, 500);
    const comment = text(body.text).trim();
    return act(c, `/t/${thread.index}/changes?round=${encodeURIComponent(scopeKey)}`, async () => {
      if (!comment) throw new UserError("a review comment needs some text");
      return sendInbox(
        thread.root,
        "queue",
        commentInstruction(file, Number.isInteger(line) && line > 0 ? line : undefined, scope, comment),
      );
    });
  });

  app.get("/t/:i/events", (c) => {
    const thread = threadOf(c);
    if (!thread) return c.text("not found", 404);
    return eventStream(watcher, thread.index, c.req.header("last-event-id"), c.req.raw.signal);
  });

  app.post("/t/:i/approvals/:id/approve", async (c) => {
    const thread = threadOf(c);
    if (!thread) return notFound(c);
    return act(c, `/t/${thread.index}`, () => approveCall(thread.root, c.req.param("id")));
  });
  app.post("/t/:i/approvals/:id/deny", async (c) => {
    const thread = threadOf(c);
    if (!thread) return notFound(c);
    const reason = text((await form(c)).reason).trim();
    return act(c, `/t/${thread.index}`, () => denyCall(thread.root, c.req.param("id"), reason || undefined));
  });
  app.post("/t/:i/drafts/:id/run", async (c) => {
    const thread = threadOf(c);
    if (!thread) return notFound(c);
    return act(c, `/t/${thread.index}`, () => runDraft(thread.root, c.req.param("id")));
  });
  app.post("/t/:i/drafts/:id/discard", async (c) => {
    const thread = threadOf(c);
    if (!thread) return notFound(c);
    return act(c, `/t/${thread.index}`, () => discardDraftAction(thread.root, c.req.param("id")));
  });
  app.post("/t/:i/inbox", async (c) => {
    const thread = threadOf(c);
    if (!thread) return notFound(c);
    const body = await form(c);
    const kind = text(body.kind) === "steer" ? "steer" : "queue";
    return act(c, `/t/${thread.index}`, () => sendInbox(thread.root, kind, text(body.text)));
  });
  app.post("/t/:i/memory/:run/accept", async (c) => {
    const thread = threadOf(c);
    if (!thread) return notFound(c);
    return act(c, `/t/${thread.index}/memory`, () => acceptMemory(thread.root, c.req.param("run")));
  });
  app.post("/t/:i/memory/:run/reject", async (c) => {
    const thread = threadOf(c);
    if (!thread) return notFound(c);
    return act(c, `/t/${thread.index}/memory`, () => rejectMemory(thread.root, c.req.param("run")));
  });
  app.post("/t/:i/rollback", async (c) => {
    const thread = threadOf(c);
    if (!thread) return notFound(c);
    const body = await form(c);
    const round = Number.parseInt(text(body.round), 10);
    const back = `/t/${thread.index}/rounds`;
    if (!Number.isInteger(round)) return act(c, back, async () => Promise.reject(new UserError("which round?")));
    if (text(body.confirm) === "yes") {
      return act(c, back, () => rollbackConfirmed(thread.root, round, text(body.files)));
    }
    let files: string[];
    try {
      files = await rollbackPreview(thread.root, round);
    } catch (error) {
      if (!UserError.isInstance(error)) throw error;
      return act(c, back, async () => Promise.reject(error));
    }
    const pc = ctx(c, thread, "rounds");
    if (!files.length)
      return act(c, back, async () => `Nothing to do: the files are as they were after round ${round}.`);
    // The same question `worksite rollback N` asks: these files, restored; yes or no.
    return page(
      c,
      pc,
      `Roll back to round ${round}?`,
      h`<h1>Roll back to round ${round}?</h1><p>This restores ${files.length} ${files.length === 1 ? "file" : "files"} to how they were after round ${round}. The audit log, reports and evidence are kept, and <code>worksite rollback --undo</code> puts them back.</p>
<ul class="files">${files.map((f) => h`<li><code>${f}</code></li>`)}</ul>
<form method="post" action="/t/${thread.index}/rollback" class="inline">${csrfField(pc.csrf)}<input type="hidden" name="round" value="${round}"><input type="hidden" name="confirm" value="yes"><input type="hidden" name="files" value="${filesDigest(files)}">
<button type="submit" class="danger">Restore these files</button></form> <a href="${back}">Cancel</a>`,
    );
  });

  app.notFound((c) => (c.get("session") ? notFound(c) : c.text("not found", 404)));
  return app;
}

function pageNumber(c: Context<Env>): number {
  const n = Number.parseInt(c.req.query("page") ?? "1", 10);
  return Number.isInteger(n) && n > 0 ? n : 1;
}
