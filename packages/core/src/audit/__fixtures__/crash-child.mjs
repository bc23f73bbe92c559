// A process that streams gate calls until it is killed: a `read` tool and a `write` tool in turn; the write
// tool, once it runs, appends its call's id to a side file. Used by crash.test.ts and bench/audit/kill.mjs.
// Prints "ready" once its gate is open, and "thread" once its syncs run on the audit's own thread.
// Usage: node crash-child.mjs <worksite root> <side file> <first call number> [pad]. Runs the built dist.
// With pad, each read call's target is that many bytes longer: a line of megabytes takes long enough to write
// for a kill to land in the middle of its write(2).
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { syncThreadState } from "../../../dist/audit/sync-thread.js";
import { createGate, loadWorksite, openAuditLog } from "../../../dist/index.js";

const [root, marks, startAt, pad = "0"] = process.argv.slice(2);
// Words, not one run: the secret scanner redacts a run of millions of token characters whole.
const padding = "yz ".repeat(Math.ceil(Number(pad) / 3));
const any = { safeParse: (data) => ({ success: true, data }) };
const plugin = {
  name: "crash",
  tools: {
    look: {
      description: "reads",
      effect: "read",
      input: any,
      targetKind: "text",
      target: (i) => i.id,
      run: async () => ({ content: "seen" }),
    },
    touch: {
      description: "changes something",
      effect: "write",
      input: any,
      targetKind: "text",
      target: (i) => i.id,
      run: async (i) => {
        appendFileSync(marks, `${i.id}\n`);
        return { content: "touched" };
      },
    },
  },
};
const worksite = await loadWorksite(root);
const audit = openAuditLog(join(root, ".worksite", "audit.jsonl"));
const gate = createGate({ root, worksite, plugins: [plugin], audit, actor: "agent", run: "crash", round: 1 });
process.stdout.write("ready\n");
let threadSaid = false;
for (let i = Number(startAt); ; i++) {
  const read = await gate.call({ tool: "crash.look", input: { id: `r${i}${padding}` } });
  const write = await gate.call({ tool: "crash.touch", input: { id: `w${i}` } });
  if (read.status !== "ok" || write.status !== "ok") {
    process.stderr.write(`${JSON.stringify([read, write])}\n`);
    process.exit(2);
  }
  // From here the write calls' syncs run on the audit's own thread (sync-thread.ts): the kill bench counts such kills.
  if (!threadSaid && syncThreadState().state === "ready") {
    threadSaid = true;
    process.stdout.write("thread\n");
  }
}
