import { loopbackRelay, PROTOCOL } from "./cdp-methods.js";

const params = new URLSearchParams(location.search);
const relay = params.get("relay") ?? "";
const worksite = params.get("worksite") ?? "";
const name = params.get("name") ?? worksite;
const version = Number(params.get("v"));
const $ = (id) => document.getElementById(id);

function show(text, kind) {
  const status = $("status");
  status.textContent = text;
  status.className = kind;
  document.body.dataset.state = kind === "ok" ? "connected" : kind === "refused" ? "refused" : "connecting";
}

async function connect(pair) {
  show("Connecting…", "");
  const outcome = await chrome.runtime.sendMessage({ type: "connect", relay, worksite, name, pair });
  if (outcome.ok) {
    $("ask").hidden = true;
    $("buttons").hidden = true;
    show(
      `Connected to ${outcome.name}. Put tabs in the "worksite" group to share them; this page can be closed.`,
      "ok",
    );
    return;
  }
  if (outcome.code === "not-paired" || outcome.code === "token-refused") {
    ask();
    if (outcome.code === "token-refused")
      show(`Token refused: ${outcome.reason}. Allow again to pair anew.`, "refused");
    return;
  }
  show(`Refused: ${outcome.reason}`, "refused");
}

function ask() {
  $("name").textContent = name;
  $("worksite").textContent = worksite;
  $("ask").hidden = false;
  $("buttons").hidden = false;
  document.body.dataset.state = "asking";
}

$("allow").addEventListener("click", () => void connect(true));
$("deny").addEventListener("click", () => {
  $("ask").hidden = true;
  $("buttons").hidden = true;
  show("Denied. Nothing was connected.", "refused");
});

if (!loopbackRelay(relay))
  show(`Refused: ${relay || "(no relay)"} is not a relay on this computer (loopback only).`, "refused");
else if (version !== PROTOCOL)
  show(
    `Refused: protocol mismatch: this extension speaks version ${PROTOCOL}, the worksite asks for ${params.get("v")}. Update the extension or worksite so they match.`,
    "refused",
  );
else if (!/^ws_[0-9a-f]{16}$/.test(worksite)) show("Refused: the page does not name a worksite.", "refused");
else void connect(false);
