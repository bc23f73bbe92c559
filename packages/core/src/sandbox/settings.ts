import { z } from "zod";

/**
 * THREAD.md `sandbox:`: how a person widens the OS sandbox under commands, or
 * turns it off. Only a person writes THREAD.md (the sandbox mounts it
 * read-only and the gate's floor refuses agent writes), so nothing here can
 * be widened by the agent it holds.
 */
export interface SandboxSetting {
  /** `sandbox: off`: commands run without an OS sandbox, a person's explicit choice. */
  off: boolean;
  /** Extra folders commands may write, outside the work tree (`~/.cache/pip`, `/var/tmp/build`). */
  write: string[];
  /** Hosts commands may reach without a `net.connect` rule; each connection is still audited. */
  hosts: string[];
  /** Where `sandbox:` is written in THREAD.md, for messages and the rules its hosts become. */
  line?: number;
}

const paths = z.array(z.string().min(1, "must not be empty"), { error: "expected a list" });

export const sandboxSettingSchema = z.union(
  [
    z.literal("off").transform((): SandboxSetting => ({ off: true, write: [], hosts: [] })),
    z.literal(false).transform((): SandboxSetting => ({ off: true, write: [], hosts: [] })),
    z.literal("on").transform((): SandboxSetting => ({ off: false, write: [], hosts: [] })),
    z.literal(true).transform((): SandboxSetting => ({ off: false, write: [], hosts: [] })),
    z
      .strictObject({ write: paths.optional(), hosts: paths.optional() })
      .transform((s): SandboxSetting => ({ off: false, write: s.write ?? [], hosts: s.hosts ?? [] })),
  ],
  { error: "expected `off`, or { write: [folders], hosts: [hosts] }" },
);

export const SANDBOX_SETTING_HINT =
  "e.g. `sandbox: { write: [~/.cache/pip], hosts: [registry.example.com] }`, or `sandbox: off` to run commands without an OS sandbox (a person's choice; `worksite check` shows it)";
