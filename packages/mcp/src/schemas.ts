import { z } from "zod";

/** MCP's `inputSchema`: a JSON Schema whose top level is an object. */
export interface McpInputSchema {
  type: "object";
  properties?: Record<string, object>;
  required?: string[];
  [key: string]: unknown;
}

export interface ToolInputSchema {
  json: McpInputSchema;
  /**
   * True when the tool's input is not an object (a bare string, an array…). MCP arguments
   * are always an object, so such an input travels as `{ input: … }` and is unwrapped here.
   */
  wrapped: boolean;
}

/** The JSON Schema a client sees for a tool's zod input, as the client should send it (`io: "input"`). */
export function toolInputSchema(schema: z.ZodType): ToolInputSchema {
  let json: Record<string, unknown>;
  try {
    json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as Record<
      string,
      unknown
    >;
  } catch {
    // A schema zod cannot describe (a custom refinement on an unusual type): the gate still
    // validates the input, the client just gets a looser description.
    return { json: { type: "object", additionalProperties: true }, wrapped: false };
  }
  delete json.$schema;
  if (json.type === "object") return { json: json as McpInputSchema, wrapped: false };
  return {
    json: { type: "object", properties: { input: json }, required: ["input"], additionalProperties: false },
    wrapped: true,
  };
}

/** The MCP arguments turned back into the tool's own input shape. */
export function unwrapArguments(schema: ToolInputSchema, args: Record<string, unknown> | undefined): unknown {
  if (schema.wrapped) return args?.input;
  return args ?? {};
}
