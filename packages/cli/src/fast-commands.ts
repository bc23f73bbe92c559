/**
 * The commands the bundled fast entry (dist/fast/) runs itself: the ones a person runs often to look, which
 * must start at once (issue 13 item 3: within 2.5× of `node -e 0`). Every other command is handed to the
 * plain modules (full-entry.ts), so one process never holds two copies of a module with state (the seal key
 * the redactor knows, the stop-signal listener), and plugins always meet the one `@worksite/core` the
 * runtime and its gate use. A fast command loads no plugin code (manifests only) and no runtime barrel.
 */
export const FAST_COMMANDS: readonly string[] = ["status", "permissions explain"];
