import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import type { McpSession } from "./session.js";
import { readArtifactIndex } from "@worksite/core";
import { listLocalSkills } from "./local-skills.js";

const FILES = [
  { file: "THREAD.md", description: "What this thread owns and does not own, what to read first, what to deliver each round" },
  { file: "GOAL.md", description: "The contract: goal, scope, how it is verified, when to pause" },
  { file: "PERMISSIONS.md", description: "Which calls are allowed, drafted, need a person's approval, or are forbidden" },
  { file: "PROGRESS.md", description: "One section per round: what was done, verified, blocked, and what is next" },
] as const;

const TEXT_EXTENSIONS: Record<string, string> = {
  ".md": "text/markdown", ".txt": "text/plain", ".log": "text/plain", ".json": "application/json",
  ".diff": "text/x-diff", ".patch": "text/x-diff", ".csv": "text/csv", ".html": "text/html", ".xml": "application/xml",
};
const BINARY_EXTENSIONS: Record<string, string> = {
  ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp", ".gif": "image/gif", ".pdf": "application/pdf",
};

export function fileUri(file: string): string {
  return `worksite://files/${file}`;
}

/** The worksite's own files, its artifacts and its skills, readable by the client. Artifacts are redacted when written. */
export function registerResources(server: McpServer, session: McpSession): void {
  for (const { file, description } of FILES) {
    server.registerResource(file, fileUri(file), { title: file, description, mimeType: "text/markdown" }, async (uri) => ({
      contents: [{ uri: uri.href, mimeType: "text/markdown", text: await readOrEmpty(join(session.root, file)) }],
    }));
  }

  server.registerResource(
    "artifacts",
    new ResourceTemplate("worksite://artifacts/{+path}", {
      list: async () => ({
        resources: (await readArtifactIndex(session.root)).artifacts.map((a) => ({
          uri: `worksite://artifacts/${a.path}`,
          name: a.path,
          description: `${a.kind} from round ${a.round}${a.tool ? ` (${a.tool})` : ""}`,
          mimeType: mimeOf(a.path),
        })),
      }),
    }),
    { title: "Artifacts", description: "Evidence from the rounds: screenshots, test output, diffs, drafts" },
    async (uri, variables) => {
      const wanted = String(variables.path ?? "");
      // Only what the index lists: the URI cannot name an arbitrary file of the worksite.
      const artifact = (await readArtifactIndex(session.root)).artifacts.find((a) => a.path === wanted);
      if (!artifact) throw new Error(`no artifact ${wanted} in artifacts/index.json`);
      return readArtifact(uri.href, join(session.root, artifact.path));
    },
  );

  server.registerResource(
    "skills",
    new ResourceTemplate("worksite://skills/{name}", {
      list: async () => ({
        resources: (await listLocalSkills(session.root)).map((s) => ({
          uri: `worksite://skills/${s.name}`,
          name: s.name,
          mimeType: "text/markdown",
          ...(s.description ? { description: s.description } : {}),
        })),
      }),
    }),
    { title: "Skills", description: "The worksite's skills (SKILL.md)", mimeType: "text/markdown" },
    async (uri, variables) => {
      const name = String(variables.name ?? "");
      const skill = (await listLocalSkills(session.root)).find((s) => s.name === name);
      if (!skill) throw new Error(`no skill ${name} in skills/`);
      return { contents: [{ uri: uri.href, mimeType: "text/markdown", text: await readFile(join(session.root, skill.path), "utf8") }] };
    },
  );
}

function mimeOf(path: string): string {
  const ext = extname(path).toLowerCase();
  return TEXT_EXTENSIONS[ext] ?? BINARY_EXTENSIONS[ext] ?? "application/octet-stream";
}

async function readArtifact(uri: string, absolute: string): Promise<ReadResourceResult> {
  const mimeType = mimeOf(absolute);
  const data = await readFile(absolute);
  if (BINARY_EXTENSIONS[extname(absolute).toLowerCase()] || mimeType === "application/octet-stream")
    return { contents: [{ uri, mimeType, blob: data.toString("base64") }] };
  return { contents: [{ uri, mimeType, text: data.toString("utf8") }] };
}

async function readOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return "";
  }
}
