// The OS sandbox under every command worksite runs (issue 11): policy as data, one spawner.
export { sandboxSettingSchema, SANDBOX_SETTING_HINT, type SandboxSetting } from "./settings.js";
export {
  sandboxPolicy,
  withSandboxHosts,
  CREDENTIAL_PATHS,
  type SandboxPolicy,
  type SandboxPolicyInput,
} from "./policy.js";
export {
  sandboxAvailability,
  unavailableMessage,
  type SandboxAvailability,
  type SandboxTools,
} from "./availability.js";
export { hostDeciderFrom, type HostClaim, type HostDecider, type HostVerdict } from "./connections.js";
export { startSandboxed, shellQuote, type SandboxedCommand, type StartedCommand } from "./spawn.js";
export { startSandboxRuntime, stopSandboxRuntime } from "./runtime.js";
export { descendants, processStat, running as processRunning, type ProcessStat } from "./process-tree.js";
