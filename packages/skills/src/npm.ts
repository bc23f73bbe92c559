import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { WorksiteError } from "@worksite/core";

const run = promisify(execFile);

export interface ExecOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Runs a program without a shell; a failure becomes a WorksiteError carrying its stderr. */
export async function exec(program: string, args: string[], options: ExecOptions): Promise<string> {
  try {
    const { stdout } = await run(program, args, {
      cwd: options.cwd,
      env: {
        ...(options.env ?? process.env),
        npm_config_update_notifier: "false",
        npm_config_fund: "false",
        npm_config_audit: "false",
      },
      maxBuffer: 16 * 1024 * 1024,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; code?: unknown; message?: string };
    if (e.code === "ENOENT")
      throw new WorksiteError("tool-failed", `${program} is not installed or not on PATH`, { cause: error });
    const detail = (e.stderr ?? "").trim().split("\n").slice(-5).join("\n") || e.message;
    throw new WorksiteError("tool-failed", `${program} ${args.join(" ")} failed: ${detail}`, { cause: error });
  }
}

/**
 * `npm pack` of a folder or a package spec into `destination`; returns the tarball's file name.
 * Never runs a lifecycle script (issue 20): packing a folder would run its prepack/prepare, a git spec
 * its install and prepare, and `skill pack` of an installed skill would run a third party's code.
 */
export async function npmPack(spec: string | undefined, destination: string, options: ExecOptions): Promise<string> {
  const env = { ...(options.env ?? process.env), npm_config_ignore_scripts: "true" };
  const out = await exec(
    "npm",
    ["pack", ...(spec ? [spec] : []), "--ignore-scripts", "--json", "--pack-destination", destination],
    { ...options, env },
  );
  // npm may print lifecycle-script output before the JSON array.
  const start = out.indexOf("[");
  const parsed = JSON.parse(start >= 0 ? out.slice(start) : out) as { filename?: string }[];
  const filename = parsed[0]?.filename;
  if (!filename) throw new WorksiteError("tool-failed", `npm pack printed no tarball name: ${out.slice(0, 200)}`);
  return filename.replace(/^@/, "").replace(/\//g, "-");
}
