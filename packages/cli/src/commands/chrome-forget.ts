import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { chromePlugin } from "./chrome-common.js";

export default defineCommand({
  name: "chrome forget",
  usage: "chrome forget [--worksite DIR]",
  summary: "revoke this worksite's pairing with Chrome: the extension's token stops working",
  async run(args, io) {
    const root = findWorksite(args, io);
    const chrome = await chromePlugin(root, io);
    const had = chrome.openPairingStore(root, io.env).forget();
    io.stdout(
      had
        ? "Forgot the pairing: the extension's token for this worksite no longer works. Remove it from the extension's popup too (Forget).\n"
        : "This worksite was not paired with Chrome.\n",
    );
    return 0;
  },
});
