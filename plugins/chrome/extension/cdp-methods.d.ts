// Types for the relay, which imports this file's list (the extension loads cdp-methods.js as it is).
export declare const ALLOWED: readonly string[];
export declare function refusal(method: string): string;
export declare function allowed(method: string): boolean;
export declare function visibleUrl(url: string | undefined): boolean;
export declare function loopbackRelay(text: string): boolean;
export declare const PROTOCOL: number;
export declare const GROUP_TITLE: string;
export declare function paramsRefusal(method: string, params: unknown): string | undefined;
export declare const RECONNECT_PATH: string;
export declare function reconnectAddress(relay: string): string;
