import { processIsAlive } from "@worksite/core";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { chromePlugin } from "./chrome-common.js";

export default defineCommand({
  name: "chrome status",
  usage: "chrome status [--worksite DIR] [--json]",
  summary: "whether this worksite's Chrome bridge is connected, waiting, refused or not paired, and what to do next",
  async run(args, io) {
    const root = findWorksite(args, io);
    const chrome = await chromePlugin(root, io);
    const store = chrome.openPairingStore(root, io.env);
    const status = store.readStatus();
    const running = status !== undefined && processIsAlive(status.pid) && status.state !== "closed";
    let state: string;
    let next: string;
    if (!store.has()) {
      state = "not paired";
      next = "run `worksite chrome connect`, load the extension it names, and click Allow";
    } else if (!running) {
      state = "paired, no run is using Chrome now";
      next = "the next run connects by itself; if it waits, open the connect page it logs";
    } else if (status.state === "connected") {
      state = "connected";
      next = 'share tabs by putting them in the "worksite" tab group';
    } else if (status.state === "refused" && /token/i.test(status.reason ?? "")) {
      // The relay's reasons mostly begin with the words already.
      state = /^token refused/i.test(status.reason ?? "") ? String(status.reason) : `token refused: ${status.reason}`;
      next = `open ${status.connectUrl ?? "the connect page"} and click Allow to pair anew`;
    } else if (status.state === "refused" || status.state === "stopped") {
      state = `${status.state}: ${status.reason ?? ""}`;
      next = `open ${status.connectUrl ?? "the connect page"} in Chrome to connect again`;
    } else {
      // Why it waits, when the relay knows (its usual address was taken, the extension went away).
      state = `waiting for the extension${status.reason ? ` (${status.reason})` : ""}`;
      next = `open ${status.connectUrl ?? "the connect page"} in Chrome; if it does not load, the extension is not installed: load ${chrome.extensionDir()} with Load unpacked`;
    }
    if (args.options.json) io.stdout(`${JSON.stringify({ state, next, paired: store.has(), status }, null, 2)}\n`);
    else io.stdout(`chrome: ${state}\nnext: ${next}\n`);
    return 0;
  },
});
