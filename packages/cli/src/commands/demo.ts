import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { listApprovals, listDrafts, newWorksiteId, plural, readArtifactIndex, UserError } from "@worksite/core";
import { runThread } from "@worksite/runtime";
import { defineCommand } from "../command.js";
import { demoFiles } from "../demo/files.js";
import { styler } from "../io.js";
import { describeRunEvent } from "./run.js";

function gitIdentity(dir: string): boolean {
  try {
    return execFileSync("git", ["config", "user.email"], { cwd: dir, encoding: "utf8" }).trim() !== "";
  } catch {
    return false;
  }
}

function browserPluginInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve("@worksite/plugin-browser");
    return true;
  } catch {
    return false;
  }
}

export default defineCommand({
  name: "demo",
  usage: "demo [DIR] [--force]",
  summary: "create a demo worksite (a small shop with a failing test and a cart page) and run it with the script agent",
  options: { force: { type: "boolean", description: "reuse DIR even if it is not empty" } },
  async run(args, io) {
    const paint = styler(io.isTTY);
    const dir = resolve(io.cwd, args.positionals[0] ?? "worksite-demo");
    if (existsSync(dir) && readdirSync(dir).length > 0 && !args.options.force)
      throw new UserError(`${relative(io.cwd, dir) || dir} already exists and is not empty`, {
        hint: "name another folder (worksite demo my-demo) or pass --force",
      });
    const browser = browserPluginInstalled();
    const files = demoFiles({ pageUrl: pathToFileURL(join(dir, "public", "index.html")).href, browser });
    for (const [name, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), text);
    }
    for (const sub of ["artifacts", "memory", "skills", ".worksite"]) await mkdir(join(dir, sub), { recursive: true });
    // Its own id, even where a demo was deleted before (its audit anchor would make this empty log look cut).
    newWorksiteId(dir);
    // A git repository, so the thread's "tag the release" step has something to tag.
    const git = (...a: string[]) =>
      execFileSync("git", ["-c", "user.name=worksite demo", "-c", "user.email=demo@localhost", ...a], {
        cwd: dir,
        stdio: "ignore",
      });
    if (!existsSync(join(dir, ".git"))) {
      git("init", "-q");
      // A fresh machine may have no git identity, and the thread's "tag the release" step needs one.
      if (!gitIdentity(dir)) {
        execFileSync("git", ["config", "user.name", "worksite demo"], { cwd: dir });
        execFileSync("git", ["config", "user.email", "demo@localhost"], { cwd: dir });
      }
      git("add", "-A");
      git("commit", "-q", "-m", "demo shop: cart total ignores quantities");
    }
    const say = (t = "") => io.stdout(`${t}\n`);
    say(paint("bold", `Created a demo worksite in ${dir}`));
    say(
      `  THREAD.md, GOAL.md, PERMISSIONS.md, a shop with a failing test (test/cart.test.js) and a cart page${browser ? ", a skill that screenshots it" : ""}`,
    );
    if (!browser)
      say(
        paint(
          "yellow",
          "  The browser plugin is not installed, so the page will not be screenshotted. Install it with: npm install @worksite/plugin-browser",
        ),
      );
    say();
    say(paint("bold", "Running the thread with the script agent (no model needed)…"));
    const result = await runThread({ root: dir, env: io.env, onEvent: (e) => say(describeRunEvent(e, paint)) });
    say();
    say(paint("bold", result.reason));

    const approvals = (await listApprovals(dir)).filter((a) => a.status === "pending");
    const drafts = (await listDrafts(dir)).filter((d) => d.status === "open");
    const screenshots = (await readArtifactIndex(dir)).artifacts.filter((a) => a.kind === "screenshot");
    const w = relative(io.cwd, dir) || ".";
    // `pnpm worksite` in this repository, `worksite` where it is installed.
    const cmd = io.env.WORKSITE_CMD ?? "worksite";
    say();
    const next: [string, string][] = [[`cat ${join(w, "PROGRESS.md")}`, "the report of each round"]];
    if (screenshots.length)
      next.push([join(w, screenshots.at(-1)!.path), "the cart page after the fix (a screenshot)"]);
    next.push([`${cmd} status --worksite ${w}`, "where the thread stands"]);
    if (drafts.length)
      next.push([`${cmd} drafts --worksite ${w}`, `${plural(drafts.length, "draft")}: nothing was sent`]);
    for (const a of approvals) {
      next.push([`${cmd} approve ${a.id} --worksite ${w}`, `let "${a.tool} ${a.target ?? ""}" run once`]);
      next.push([`${cmd} run --worksite ${w}`, "the next round runs it and finishes"]);
    }
    next.push([`${cmd} audit verify --worksite ${w}`, "check the tamper-evident audit log"]);
    next.push([`${cmd} rollback 1 --worksite ${w}`, "put the files back as they were after round 1"]);
    const width = Math.max(...next.map(([c]) => c.length));
    say(paint("bold", "What to look at next:"));
    for (const [command, why] of next) say(`  ${command.padEnd(width)}   ${paint("dim", why)}`);
    return 0;
  },
});
