/*
 * The CDP methods the relay forwards to a shared tab: the page actions the tools need and nothing else.
 * Cookies, storage, credentials and the download folder are never reachable (issue 14). The list lives in
 * the extension's own file, which Chrome loads as it is, so the relay and the extension check one list.
 */
export {
  ALLOWED as ALLOWED_METHODS,
  allowed as isForwarded,
  paramsRefusal,
  RECONNECT_PATH,
  refusal as refusalOf,
} from "../extension/cdp-methods.js";
