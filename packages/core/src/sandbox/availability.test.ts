import { existsSync } from "node:fs";
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { containmentSite, type ContainmentSite } from "./__fixtures__/worksite.js";
import { sandboxAvailability } from "./availability.js";
import { stopSandboxRuntime } from "./runtime.js";
import { tempDir } from "@worksite/test-support";

/** A PATH with bash, touch and echo but no bubblewrap, socat or ripgrep. */
async function pathWithoutSandbox(): Promise<string> {
  const bin = await tempDir("worksite-nosandbox-bin-");
  await mkdir(bin, { recursive: true });
  for (const tool of ["bash", "touch", "echo"]) await symlink(`/usr/bin/${tool}`, join(bin, tool));
  return bin;
}

let site: ContainmentSite | undefined;
const savedPath = process.env.PATH;
afterEach(async () => {
  process.env.PATH = savedPath;
  site?.restore();
  site = undefined;
  await stopSandboxRuntime();
});

describe("where no sandbox is available", () => {
  it("says what is missing and how to install it", () => {
    const found = sandboxAvailability({ PATH: "/nowhere" }, "linux");
    expect(found).toMatchObject({ ok: false, missing: ["bwrap (bubblewrap)", "socat", "rg (ripgrep)"] });
    expect(found.ok ? "" : found.hint).toContain("apt-get install -y bubblewrap socat ripgrep");
  });

  it("refuses a command with the install hint instead of running it bare", async () => {
    site = await containmentSite({ allow: ["shell.run bash -c"] });
    process.env.PATH = await pathWithoutSandbox();
    const outcome = await site.gate.call({ tool: "shell.run", input: { command: "bash -c 'touch ran-bare'" } });
    expect(outcome.status).toBe("refused");
    expect(outcome.status === "ok" ? "" : outcome.message).toMatch(
      /no OS sandbox available \(missing: bwrap \(bubblewrap\), socat, rg \(ripgrep\)\).*apt-get install -y bubblewrap socat ripgrep/,
    );
    expect(existsSync(join(site.root, "ran-bare"))).toBe(false);
  });

  it("runs commands without a sandbox only where a person wrote `sandbox: off`, and says so in the output", async () => {
    site = await containmentSite({ allow: ["shell.run bash -c"], thread: "---\nsandbox: off\n---\n# Thread\n" });
    process.env.PATH = await pathWithoutSandbox();
    const outcome = await site.gate.call({ tool: "shell.run", input: { command: "bash -c 'touch ran-bare'" } });
    expect(outcome.status).toBe("ok");
    expect(existsSync(join(site.root, "ran-bare"))).toBe(true);
    const log = outcome.status === "ok" ? (outcome.result.data as { containment: string }).containment : "";
    expect(log).toBe("none");
  });
});
