import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/*
 * Every test file gets its own person: the seal key, the state folder
 * (approvals, audit anchors) and the XDG folders point into a fresh temp
 * folder, so no test reads or writes the real ~/.config/worksite or
 * ~/.local/state/worksite. Child processes (the CLI, MCP servers) inherit it.
 */
const person = mkdtempSync(join(tmpdir(), "worksite-person-"));
process.env.XDG_CONFIG_HOME = join(person, "config");
process.env.XDG_STATE_HOME = join(person, "state");
process.env.WORKSITE_STATE_DIR = join(person, "state", "worksite");
process.env.WORKSITE_APPROVAL_KEY_FILE = join(person, "config", "worksite", "approval.key");
