// The tabs the person shares and Chrome's debugger on them: what the relay may ask for (call), the events it hears,
// and letting go. The link to the relay itself is in background.js.
import { allowed, GROUP_TITLE, paramsRefusal, refusal, visibleUrl } from "./cdp-methods.js";

/** What the link to the relay gives this module: a way to tell the relay, and how long an unused tab stays attached. */
let relay = { send: (_message) => {}, idleMs: () => 60_000 };

/** Called once by background.js. */
export function useRelay(link) {
  relay = link;
}

const send = (message) => relay.send(message);

/** tabId → idle timer; a tab is attached only while the agent uses it. */
const attached = new Map();
/** tabId → the attach under way, so commands sent together wait for one attach instead of racing to make two. */
const attaching = new Map();
/**
 * tabId → the domains the worksite switched on (method → params), e.g. the navigation guard's Fetch.enable.
 * Chrome forgets them when the debugger detaches (idle); they are switched on again when it attaches, before the
 * command that attached it runs, so the guard stays on for the tab's lifetime as the worksite sees it.
 */
const enabled = new Map();

async function sharedGroups() {
  const groups = await chrome.tabGroups.query({ title: GROUP_TITLE });
  return new Set(groups.map((g) => g.id));
}

async function sharedTabs() {
  const groups = await sharedGroups();
  const tabs = await chrome.tabs.query({});
  return tabs.filter((t) => groups.has(t.groupId) && visibleUrl(t.url));
}

async function sharedTab(tabId) {
  const tab = await chrome.tabs.get(tabId).catch(() => undefined);
  if (!tab) throw new Error(`tab ${tabId} is closed`);
  if (!(await sharedGroups()).has(tab.groupId)) throw new Error(`tab ${tabId} is not in the ${GROUP_TITLE} group`);
  if (!visibleUrl(tab.url)) throw new Error(`tab ${tabId} shows a page worksite may not see`);
  return tab;
}

async function groupInto(tabId) {
  const [group] = await chrome.tabGroups.query({ title: GROUP_TITLE });
  if (group) {
    await chrome.tabs.group({ tabIds: [tabId], groupId: group.id });
    return;
  }
  const groupId = await chrome.tabs.group({ tabIds: [tabId] });
  await chrome.tabGroups.update(groupId, { title: GROUP_TITLE, color: "blue" });
}

function touch(tabId) {
  clearTimeout(attached.get(tabId));
  attached.set(
    tabId,
    setTimeout(() => void detach(tabId, "idle"), relay.idleMs()),
  );
}

function attach(tabId) {
  if (attached.has(tabId)) return touch(tabId);
  let pending = attaching.get(tabId);
  if (!pending) {
    pending = attachNow(tabId).finally(() => attaching.delete(tabId));
    attaching.set(tabId, pending);
  }
  return pending;
}

async function attachNow(tabId) {
  try {
    await chrome.debugger.attach({ tabId }, "1.3");
  } catch (error) {
    // A worker that Chrome stopped left its attachment behind; only this extension can detach it, and then attach anew.
    if (!/already attached/i.test(String(error?.message ?? error))) throw error;
    await chrome.debugger.detach({ tabId });
    await chrome.debugger.attach({ tabId }, "1.3");
  }
  for (const [method, params] of enabled.get(tabId) ?? [])
    await chrome.debugger.sendCommand({ tabId }, method, params).catch(() => {});
  touch(tabId);
  await chrome.action.setBadgeText({ tabId, text: "ON" }).catch(() => {});
  await chrome.action.setBadgeBackgroundColor({ tabId, color: "#1a73e8" }).catch(() => {});
}

/** tabId → the readiness of the last command sent to it: commands go to Chrome in the order the relay sent them. */
const lines = new Map();

function ready(tabId) {
  const next = (lines.get(tabId) ?? Promise.resolve()).then(async () => {
    // An attached tab is a shared one: leaving the group, closing, or showing a page worksite may not see
    // detaches it at once (onUpdated, onRemoved, tabGroups.onUpdated below), so only a new attach asks Chrome again.
    if (!attached.has(tabId)) await sharedTab(tabId);
    await attach(tabId);
  });
  lines.set(
    tabId,
    next.catch(() => {}),
  );
  return next;
}

/** Remembers what a command switched on or off, to switch it on again after a re-attach. */
function remember(tabId, method, params) {
  const [domain, verb] = method.split(".");
  const domains = enabled.get(tabId) ?? new Map();
  if (verb === "enable") domains.set(method, params);
  else if (verb === "disable") domains.delete(`${domain}.enable`);
  else return;
  enabled.set(tabId, domains);
}

async function detach(tabId, reason) {
  if (!attached.has(tabId)) return;
  clearTimeout(attached.get(tabId));
  attached.delete(tabId);
  await chrome.debugger.detach({ tabId }).catch(() => {});
  await chrome.action.setBadgeText({ tabId, text: "" }).catch(() => {});
  send({ type: "detached", tabId, reason });
}

export async function detachAll(reason) {
  enabled.clear();
  await Promise.all([...attached.keys()].map((tabId) => detach(tabId, reason)));
}

export async function call(message) {
  const { action, tabId } = message;
  switch (action) {
    case "list":
      return { tabs: (await sharedTabs()).map((t) => ({ tabId: t.id, url: t.url, title: t.title ?? "" })) };
    case "create": {
      const tab = await chrome.tabs.create({ url: "about:blank", active: true });
      await groupInto(tab.id);
      return { tabId: tab.id };
    }
    case "close":
      await sharedTab(tabId);
      await detach(tabId, "closed");
      await chrome.tabs.remove(tabId);
      return {};
    case "activate": {
      const tab = await sharedTab(tabId);
      await chrome.tabs.update(tabId, { active: true });
      await chrome.windows.update(tab.windowId, { focused: true }).catch(() => {});
      return {};
    }
    case "detach":
      await detach(tabId, "released");
      return {};
    case "cdp": {
      if (!allowed(message.method)) throw new Error(refusal(message.method));
      const badParams = paramsRefusal(message.method, message.params);
      if (badParams) throw new Error(badParams);
      if (message.method === "Page.navigate" && !visibleUrl(message.params?.url))
        throw new Error(`Page.navigate to ${message.params?.url} is refused: only web pages`);
      await ready(tabId);
      const result = await chrome.debugger.sendCommand({ tabId }, message.method, message.params ?? {});
      remember(tabId, message.method, message.params ?? {});
      return result;
    }
    default:
      throw new Error(`unknown action ${action}`);
  }
}

chrome.debugger.onEvent.addListener((source, method, params) => {
  if (source.tabId !== undefined && attached.has(source.tabId))
    send({ type: "event", tabId: source.tabId, method, params });
});
chrome.debugger.onDetach.addListener((source, reason) => {
  if (source.tabId === undefined || !attached.has(source.tabId)) return;
  clearTimeout(attached.get(source.tabId));
  attached.delete(source.tabId);
  send({ type: "detached", tabId: source.tabId, reason });
});
chrome.tabs.onRemoved.addListener((tabId) => {
  clearTimeout(attached.get(tabId));
  attached.delete(tabId);
  enabled.delete(tabId);
  lines.delete(tabId);
  send({ type: "tab-closed", tabId });
});
/** A tab no longer in the shared group (dragged out, navigated to a page never shown) leaves the agent's view. */
async function unshareIfLeft(tabId) {
  const still = await sharedTab(tabId).then(
    () => true,
    () => false,
  );
  if (still) return;
  enabled.delete(tabId);
  await detach(tabId, "unshared");
  send({ type: "tab-left", tabId });
}

chrome.tabs.onUpdated.addListener(async (tabId, change) => {
  if (change.groupId === undefined && change.url === undefined) return;
  await unshareIfLeft(tabId);
});

// A group renamed away from "worksite" unshares every tab in it.
chrome.tabGroups.onUpdated.addListener(async () => {
  for (const tabId of [...attached.keys()]) await unshareIfLeft(tabId);
});

/**
 * A worker Chrome stopped leaves its debugger attachments behind, with whatever they switched on: a document the
 * guard paused then waits for an answer no one sends, and the person's own navigation in that tab hangs. A new
 * worker lets go of them first (detach ends the pause); the next command attaches afresh.
 */
export async function releaseLeftovers() {
  const targets = await chrome.debugger.getTargets().catch(() => []);
  await Promise.all(
    targets
      .filter((t) => t.attached && t.tabId !== undefined && !attached.has(t.tabId) && !attaching.has(t.tabId))
      .map((t) => chrome.debugger.detach({ tabId: t.tabId }).catch(() => {})),
  );
}

/** The tabs the debugger is attached to now (the popup and the relay's status show them). */
export const attachedTabs = () => [...attached.keys()];
