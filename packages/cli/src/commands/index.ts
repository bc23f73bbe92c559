import type { Command } from "../command.js";

/**
 * Every command, lazily imported so `worksite --help` loads nothing heavy.
 * One line per command; the key is the full command name.
 */
export const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  init: {
    summary: "create a worksite: THREAD.md, GOAL.md, PERMISSIONS.md and folders",
    load: async () => (await import("./init.js")).default,
  },
  run: {
    summary: "run the thread round by round until its goal says stop",
    load: async () => (await import("./run.js")).default,
  },
  status: {
    summary: "where the thread stands and what waits for a person",
    load: async () => (await import("./status.js")).default,
  },
  steer: { summary: "redirect the running round now", load: async () => (await import("./steer.js")).default },
  queue: { summary: "queue an instruction for the next round", load: async () => (await import("./queue.js")).default },
  report: { summary: "print a round's report", load: async () => (await import("./report.js")).default },
  rollback: {
    summary: "restore the files to how they were after round N",
    load: async () => (await import("./rollback.js")).default,
  },
  demo: {
    summary: "create a demo worksite and run it: the README's first command",
    load: async () => (await import("./demo.js")).default,
  },
  check: {
    summary: "parse the three worksite files and show what is enforced",
    load: async () => (await import("./check.js")).default,
  },
  "audit verify": {
    summary: "check the audit log's hash chain and name the first bad line (exit 1 if broken)",
    load: async () => (await import("./audit-verify.js")).default,
  },
  "audit tail": {
    summary: "show the last audit entries, filtered by tool, tier, run and time",
    load: async () => (await import("./audit-tail.js")).default,
  },
  "permissions explain": {
    summary: "show which tier PERMISSIONS.md gives a call, the deciding rule and why",
    load: async () => (await import("./permissions-explain.js")).default,
  },
  "computer stop": {
    summary: "stop all desktop input by the computer-use plugin at once (--resume lifts it)",
    load: async () => (await import("./computer-stop.js")).default,
  },
  call: {
    summary: "make one tool call through the permission gate",
    load: async () => (await import("./call.js")).default,
  },
  approvals: {
    summary: "list calls waiting for a person, approvals not yet used, and grants for this thread",
    load: async () => (await import("./approvals.js")).default,
  },
  approve: {
    summary: "approve a waiting call (ap_…) or run a draft (dr_…) once",
    load: async () => (await import("./approve.js")).default,
  },
  deny: {
    summary: "deny a waiting call (ap_…) or discard a draft (dr_…)",
    load: async () => (await import("./deny.js")).default,
  },
  drafts: {
    summary: "list drafts: calls the draft tier recorded instead of sending",
    load: async () => (await import("./drafts.js")).default,
  },
  "skill new": {
    summary: "create skills/NAME/ with SKILL.md and a package.json ready to publish",
    load: async () => (await import("./skill-new.js")).default,
  },
  "skill list": {
    summary: "list the skills this worksite can use and what is shadowed",
    load: async () => (await import("./skill-list.js")).default,
  },
  "skill show": {
    summary: "show one skill: triggers, steps, failure modes, files",
    load: async () => (await import("./skill-show.js")).default,
  },
  "skill check": {
    summary: "check SKILL.md files (exit 1 with SKILL.md:LINE errors)",
    load: async () => (await import("./skill-check.js")).default,
  },
  "skill add": {
    summary: "install a skill package or tarball into the worksite's skills/",
    load: async () => (await import("./skill-add.js")).default,
  },
  "skill pack": {
    summary: "pack a skill into an npm tarball",
    load: async () => (await import("./skill-pack.js")).default,
  },
  "memory audit": {
    summary: "check memory: schema, secrets, conflicts, stale and uncommitted entries (exit 1 if blocking)",
    load: async () => (await import("./memory-audit.js")).default,
  },
  "memory diff": {
    summary: "show what a run proposed to change in memory",
    load: async () => (await import("./memory-diff.js")).default,
  },
  "memory accept": {
    summary: "merge a run's memory proposal into the main line",
    load: async () => (await import("./memory-accept.js")).default,
  },
  "memory reject": {
    summary: "drop a run's memory proposal, leaving the main line untouched",
    load: async () => (await import("./memory-reject.js")).default,
  },
  "memory sync": {
    summary: "pull and push memory with its git remote, keeping both sides of a conflict",
    load: async () => (await import("./memory-sync.js")).default,
  },
  "memory commit": {
    summary: "record hand edits of memory as your commit (refused on secrets)",
    load: async () => (await import("./memory-commit.js")).default,
  },
  "memory list": {
    summary: "list memory entries and which are hidden from agents",
    load: async () => (await import("./memory-list.js")).default,
  },
  threads: {
    summary: "list the threads under a folder: state, round, what waits for a person, next wake",
    load: async () => (await import("./threads.js")).default,
  },
  "problem close": {
    summary: "close an open problem of the thread's standing state, as a person's decision",
    load: async () => (await import("./problem-close.js")).default,
  },
  panel: { summary: "serve the side panel in a browser", load: async () => (await import("./panel.js")).default },
  "chrome connect": {
    summary: "pair this worksite with your Chrome once: load the extension, open the connect page, click Allow",
    load: async () => (await import("./chrome-connect.js")).default,
  },
  "chrome status": {
    summary: "whether the Chrome bridge is connected, waiting, refused or not paired, and what to do next",
    load: async () => (await import("./chrome-status.js")).default,
  },
  "chrome forget": {
    summary: "revoke this worksite's pairing with Chrome",
    load: async () => (await import("./chrome-forget.js")).default,
  },
  wake: {
    summary: "wake threads on their THREAD.md schedules, one round per wake; --install prints a user service",
    load: async () => (await import("./wake.js")).default,
  },
  inbox: {
    summary: "list the results wakes left: outcome, summary, links",
    load: async () => (await import("./inbox.js")).default,
  },
  mcp: {
    summary: "serve this worksite's gated tools to an MCP client (stdio, or local HTTP with a token)",
    load: async () => (await import("./mcp.js")).default,
  },
};
