import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { computerStopFile } from "@worksite/core";
import { defineCommand } from "../command.js";
import { personActor } from "../person.js";

/*
 * The desktop kill switch (issue 15): a file in the person's state folder,
 * which the command sandbox keeps the agent from touching. While it exists the
 * computer-use plugin refuses every input action and stops typing mid-text.
 * `touch` on the same file works as well, for a person with no worksite at hand.
 */
export default defineCommand({
  name: "computer stop",
  usage: "computer stop [--resume] [--json]",
  summary: "stop all desktop input by the computer-use plugin at once, in every worksite; --resume lifts the stop",
  options: {
    resume: {
      type: "boolean",
      description: "lift the stop: desktop input may run again (through the gate, as before)",
    },
  },
  async run(args, io) {
    const file = computerStopFile(io.env);
    if (args.options.resume) {
      const was = existsSync(file);
      await rm(file, { force: true });
      io.stdout(
        args.options.json
          ? `${JSON.stringify({ stopped: false, file, was })}\n`
          : was
            ? `desktop input may run again (removed ${file})\n`
            : `desktop input was not stopped (${file} does not exist)\n`,
      );
      return 0;
    }
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(file, `${JSON.stringify({ by: personActor(io.env), at: new Date().toISOString() })}\n`, {
      mode: 0o600,
    });
    io.stdout(
      args.options.json
        ? `${JSON.stringify({ stopped: true, file })}\n`
        : `desktop input stopped: the computer-use plugin sends nothing until \`worksite computer stop --resume\` (or rm ${file})\n`,
    );
    return 0;
  },
});
