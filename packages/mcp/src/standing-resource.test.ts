import { describe, expect, it } from "vitest";
import { STANDING_URI } from "./resources.js";
import { inMemoryMcp } from "./testing/in-memory.js";

// Client and server talk over the SDK's in-memory transport; cli.e2e.test.ts covers real stdio and HTTP.
describe("the standing state as an MCP resource (in-memory transport)", () => {
  const mcp = inMemoryMcp();

  it("is listed, and read now: a person's decision made after the client connected is already in it", async () => {
    const client = await mcp.connect();

    const listed = await client.listResources();
    expect(listed.resources).toContainEqual(expect.objectContaining({ uri: STANDING_URI, title: "Standing state" }));
    const before = await client.readResource({ uri: STANDING_URI });
    const first = before.contents[0] as { text: string; mimeType: string };
    expect(first.mimeType).toBe("text/markdown");
    expect(first.text).toMatch(/^## Standing[\s\S]*### Decisions\n- none/);

    await mcp.session().audit.append({
      type: "note",
      actor: "person:alice",
      message: "closed problem P3: fixed upstream",
      data: { closeProblem: "P3" },
    });
    const after = (await client.readResource({ uri: STANDING_URI })).contents[0] as { text: string };
    expect(after.text).toMatch(/person:alice: closed problem P3: fixed upstream — \[audit #\d+\]/);
  });
});
