import { spawn } from "node:child_process";
import { UserError } from "@worksite/core";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";

export default defineCommand({
  name: "panel",
  usage: `panel [--worksite DIR]… [--port N] [--no-open] [--json]

Serves the side panel on 127.0.0.1 (a free port unless --port) for one or more
worksites: the thread, its rounds and evidence live, what waits for you
(Approve / Deny), steer and queue boxes, the audit log and memory proposals.
It prints a login link that works once; press Enter here for a new one.`,
  summary: "serve the side panel: evidence live, approve, steer and review memory in a browser",
  options: {
    worksite: {
      type: "string",
      alias: "w",
      multiple: true,
      description: "a worksite to show (more than once for several; default: the nearest one)",
    },
    port: { type: "string", description: "the port on 127.0.0.1 (default: a free one)" },
    open: { type: "boolean", description: "open the browser (default; --no-open to only print the link)" },
  },
  async run(args, io) {
    const given = (args.options.worksite as string[] | undefined) ?? [];
    const roots = given.length
      ? given.map((w) => findWorksite({ ...args, options: { ...args.options, worksite: w } }, io))
      : [findWorksite({ ...args, options: { ...args.options, worksite: undefined } }, io)];
    const port = args.options.port === undefined ? 0 : Number(args.options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UserError(`--port needs a whole number from 0 to 65535, got ${JSON.stringify(args.options.port)}`);
    const { startPanel } = await import("@worksite/panel");
    const panel = await startPanel({ worksites: [...new Set(roots)], port });
    if (args.options.json) io.stdout(`${JSON.stringify({ origin: panel.origin, login: panel.loginUrl })}\n`);
    else
      io.stdout(
        `worksite panel for ${roots.join(", ")}\n  ${panel.loginUrl}\n(the link signs you in once; press Enter here for a new one. Stop with Ctrl-C.)\n`,
      );
    if (args.options.open !== false && !io.env.CI) openBrowser(panel.loginUrl);
    const more = () => io.stdout(`  ${panel.newLoginUrl()}\n`);
    if (process.stdin.isTTY) process.stdin.on("data", more);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    process.stdin.off("data", more);
    process.stdin.pause();
    await panel.close();
    return 0;
  },
});

/** "panel: http://127.0.0.1:PORT/" for each panel running for this worksite, for `worksite run` (and `worksite wake`) to print. */
export async function panelLinks(root: string): Promise<string[]> {
  const { runningPanels } = await import("@worksite/panel");
  return (await runningPanels(root)).map(
    (p) => `panel: ${p.origin}/ (live; sign in with the link \`worksite panel\` printed)`,
  );
}

/** The system's way to open a link; a machine without one just has the printed link. */
function openBrowser(url: string): void {
  const [cmd, ...args] =
    process.platform === "darwin"
      ? ["open", url]
      : process.platform === "win32"
        ? ["cmd", "/c", "start", "", url]
        : ["xdg-open", url];
  try {
    const child = spawn(cmd!, args, { stdio: "ignore", detached: true });
    child.on("error", () => {});
    child.unref();
  } catch {
    // no opener: the link is printed
  }
}
