import type { Diagnostic, Worksite } from "@worksite/core";

/**
 * THREAD.md `chrome:` naming a DevTools endpoint: it works, but an open
 * debugging port lets any program on this computer drive that browser, with
 * every login in it (issue 14). The extension bridge has no such port.
 */
export function chromeWarnings(worksite: Worksite, out: Diagnostic[]): void {
  const chrome = worksite.thread.chrome;
  if (!chrome || !(chrome.browserUrl || chrome.autoConnect)) return;
  out.push({
    file: worksite.thread.file,
    line: chrome.line,
    severity: "warning",
    message: `chrome: ${chrome.browserUrl ? `browserUrl ${chrome.browserUrl}` : `autoConnect ${chrome.autoConnect}`} uses Chrome's open debugging port, which lets any program on this computer drive that browser and its logins`,
    hint: "prefer the extension bridge (remove browserUrl/autoConnect and run `worksite chrome connect`), or use a Chrome profile kept for the agent only and close it when the run ends",
  });
}
