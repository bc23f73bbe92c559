import { UserError } from "@worksite/core";
import { sendMessage } from "@worksite/runtime";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { personActor } from "../person.js";

export default defineCommand({
  name: "steer",
  usage: 'steer "MESSAGE"',
  summary: "redirect the running round now: the running tool is stopped and the agent continues in this direction",
  async run(args, io) {
    const root = findWorksite(args, io);
    const text = args.positionals.join(" ").trim();
    if (!text) throw new UserError("steer needs a message", { hint: 'worksite steer "stop the refactor; fix the failing test first"' });
    const message = await sendMessage(root, "steer", text, personActor(io.env));
    io.stdout(args.options.json ? `${JSON.stringify(message)}\n` : `steering sent (${message.id}); the running round takes it at its next safe point\n`);
    return 0;
  },
});
