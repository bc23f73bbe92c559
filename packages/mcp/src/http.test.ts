import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type HttpServing, serveHttp } from "./http.js";

const initialize = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
});

function post(serving: HttpServing, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      serving.url,
      {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      },
      (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end(initialize);
  });
}

describe("the local HTTP endpoint's front door (bare MCP server, no gate)", () => {
  let serving: HttpServing;
  beforeAll(async () => {
    serving = await serveHttp(() => new McpServer({ name: "t", version: "0" }));
  });
  afterAll(() => serving.close());

  it("listens on loopback only and makes a long random token", () => {
    expect(serving.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(serving.token.length).toBeGreaterThanOrEqual(40);
  });

  it("refuses a request without the token with 401", async () => {
    const res = await post(serving, {});
    expect(res.status).toBe(401);
  });

  it("refuses a wrong token with 401", async () => {
    const res = await post(serving, { authorization: `Bearer ${serving.token.slice(1)}x` });
    expect(res.status).toBe(401);
  });

  it("refuses a foreign Origin with 403 even with the right token", async () => {
    const res = await post(serving, { authorization: `Bearer ${serving.token}`, origin: "https://evil.example" });
    expect(res.status).toBe(403);
  });

  it("refuses a rebound Host name with 403 even with the right token", async () => {
    const res = await post(serving, { authorization: `Bearer ${serving.token}`, host: `evil.example:${serving.port}` });
    expect(res.status).toBe(403);
  });

  it("accepts its own origin with the token", async () => {
    const res = await post(serving, {
      authorization: `Bearer ${serving.token}`,
      origin: `http://localhost:${serving.port}`,
    });
    expect(res.status).toBe(200);
  });

  it("lets the SDK's client connect with the bearer header", async () => {
    const client = new Client({ name: "sdk", version: "0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(serving.url), {
        requestInit: { headers: { Authorization: `Bearer ${serving.token}` } },
      }),
    );
    expect(client.getServerVersion()?.name).toBe("t");
    await client.close();
  });
});
