// chrome-remote-interface ships no types; this is the part the plugin uses.
declare module "chrome-remote-interface" {
  interface CdpEventMessage {
    method: string;
    params: Record<string, unknown>;
    sessionId?: string;
  }
  interface Client {
    send(method: string, params?: Record<string, unknown>, sessionId?: string): Promise<any>;
    on(event: "event", listener: (message: CdpEventMessage) => void): this;
    on(event: "disconnect", listener: () => void): this;
    off(event: string, listener: (...args: any[]) => void): this;
    close(): Promise<void>;
  }
  interface Options {
    target?: string;
    local?: boolean;
    host?: string;
    port?: number;
  }
  function CDP(options?: Options): Promise<Client>;
  export default CDP;
  export type { Client, CdpEventMessage };
}
