import { describe, expect, it } from "vitest";
import { z } from "zod";
import { toolInputSchema, unwrapArguments } from "./schemas.js";

describe("input schemas from zod", () => {
  it("describes an object input as the client should send it, defaults optional", () => {
    const schema = toolInputSchema(
      z.object({ command: z.string().describe("argv"), timeout: z.number().int().default(30) }),
    );
    expect(schema.wrapped).toBe(false);
    expect(schema.json.type).toBe("object");
    expect(schema.json.properties).toMatchObject({
      command: { type: "string", description: "argv" },
      timeout: { type: "integer", default: 30 },
    });
    expect(schema.json.required).toEqual(["command"]);
    expect(schema.json.$schema).toBeUndefined();
  });

  it("wraps a non-object input under `input` and unwraps the arguments again", () => {
    const schema = toolInputSchema(z.string().url());
    expect(schema.wrapped).toBe(true);
    expect(schema.json).toMatchObject({
      type: "object",
      properties: { input: { type: "string" } },
      required: ["input"],
    });
    expect(unwrapArguments(schema, { input: "https://a.test" })).toBe("https://a.test");
  });

  it("still gives an object schema for an input zod cannot describe", () => {
    const schema = toolInputSchema(z.object({ when: z.date() }).transform((v) => v.when));
    expect(schema.json.type).toBe("object");
  });
});
