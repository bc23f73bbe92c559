import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { SEAL_KEY_ENV, sealKeyPath } from "../gate/person-seal.js";

/*
 * Where a person's control state lives: outside every worksite, out of the
 * sandbox's reach (commands may neither read nor write these folders). The
 * config folder holds the seal key; the state folder holds, per worksite id,
 * pending approvals and the audit log's head anchor.
 */

/** Overrides the state folder (tests, and people who keep state elsewhere). */
export const STATE_DIR_ENV = "WORKSITE_STATE_DIR";

/** `$XDG_CONFIG_HOME/worksite` (or `~/.config/worksite`): the seal key. */
export function personConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), ".config"), "worksite");
}

/** `$WORKSITE_STATE_DIR`, else `$XDG_STATE_HOME/worksite` (or `~/.local/state/worksite`). */
export function personStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env[STATE_DIR_ENV] ?? join(env.XDG_STATE_HOME ?? join(homedir(), ".local", "state"), "worksite");
}

/** Every folder of the person's control state, including a seal key moved elsewhere by its env var. */
export function personControlFolders(env: NodeJS.ProcessEnv = process.env): string[] {
  // The policy asks on every path call (issue 13 item 1): worked out again only when a variable it reads changed.
  // "-" for an unset variable, "=" before a set one (empty included); "\u0000" cannot be in a variable's value.
  const key = `${part(env.XDG_CONFIG_HOME)}${part(env[SEAL_KEY_ENV])}${part(env[STATE_DIR_ENV])}${part(env.XDG_STATE_HOME)}${part(process.env.HOME)}`;
  if (known?.key !== key)
    known = { key, folders: [...new Set([personConfigDir(env), dirname(sealKeyPath(env)), personStateDir(env)])] };
  return [...known.folders];
}
let known: { key: string; folders: string[] } | undefined;
const part = (value: string | undefined) => (value === undefined ? "-\u0000" : `=${value}\u0000`);

/** The desktop kill switch: while this file exists the computer-use plugin sends no input (`worksite computer stop`). */
export function computerStopFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(personStateDir(env), "computer-use", "STOP");
}
