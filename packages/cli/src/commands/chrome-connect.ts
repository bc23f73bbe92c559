import { basename } from "node:path";
import { UserError } from "@worksite/core";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { chromePlugin } from "./chrome-common.js";

export default defineCommand({
  name: "chrome connect",
  usage: "chrome connect [--worksite DIR] [--timeout SECONDS]",
  summary: "pair this worksite with your Chrome once: load the extension, open the connect page, click Allow",
  options: {
    timeout: { type: "string", description: "how long to wait for Allow, in seconds (default 300)" },
  },
  async run(args, io) {
    const root = findWorksite(args, io);
    const chrome = await chromePlugin(root, io);
    const seconds = typeof args.options.timeout === "string" ? Number(args.options.timeout) : 300;
    if (!Number.isFinite(seconds) || seconds <= 0)
      throw new UserError(`--timeout ${String(args.options.timeout)} is not a number of seconds`, {
        hint: "e.g. --timeout 120",
      });
    const store = chrome.openPairingStore(root, io.env);
    const relay = await chrome.startRelay({ store, name: basename(root) });
    // The kept address was taken (another run of this worksite, or another program): the page below is the new one.
    if (relay.collision) io.stderr(`warning: ${relay.collision}: open the address in step 2 once\n`);
    io.stdout(
      [
        `Pairing worksite ${basename(root)} (${store.worksite}) with your Chrome:`,
        "",
        "1. Once per Chrome profile, load the worksite extension:",
        "   chrome://extensions → Developer mode on → Load unpacked → choose",
        `   ${chrome.extensionDir()}`,
        "2. Open this address in that Chrome and click Allow:",
        `   ${relay.connectUrl}`,
        '3. Share tabs by putting them in the tab group named "worksite".',
        "",
        `Waiting up to ${seconds} s for Allow…`,
        "",
      ].join("\n"),
    );
    try {
      await relay.waitForExtension(seconds * 1000);
    } catch (error) {
      throw new UserError(`not paired: ${(error as Error).message}`, {
        hint: "if the connect page did not open, the extension is not loaded in that Chrome (step 1); run this again",
      });
    } finally {
      await relay.close();
    }
    io.stdout(`Paired. Later runs connect with no prompt; revoke with: worksite chrome forget\n`);
    return 0;
  },
});
