export { createWorksiteMcpServer, sanitizeClientName, type WorksiteMcpServerOptions } from "./server.js";
export { serveStdio } from "./stdio.js";
export { serveHttp, type HttpServeOptions, type HttpServing } from "./http.js";
export { buildToolNameMap, sanitizeToolName, type ToolNameMap } from "./tool-names.js";
export { toolInputSchema, type ToolInputSchema } from "./schemas.js";
export { toolAnnotations } from "./annotations.js";
export { outcomeToResult, type ApprovalActions } from "./call-tool.js";
export { renderRoundContext } from "./round-context.js";
export type { McpSession } from "./session.js";
