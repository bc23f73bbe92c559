import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import type { McpSession } from "./session.js";
import { type ArtifactIndex, readArtifactIndex, readEvidenceFile } from "@worksite/core";
import { currentStanding, discoverSkills, readState, renderFor } from "@worksite/runtime";

const FILES = [
  {
    file: "THREAD.md",
    description: "What this thread owns and does not own, what to read first, what to deliver each round",
  },
  { file: "GOAL.md", description: "The contract: goal, scope, how it is verified, when to pause" },
  {
    file: "PERMISSIONS.md",
    description: "Which calls are allowed, drafted, need a person's approval, or are forbidden",
  },
  { file: "PROGRESS.md", description: "One section per round: what was done, verified, blocked, and what is next" },
] as const;

const TEXT_EXTENSIONS: Record<string, string> = {
  ".md": "text/markdown",
  ".txt": "text/plain",
  ".log": "text/plain",
  ".json": "application/json",
  ".diff": "text/x-diff",
  ".patch": "text/x-diff",
  ".csv": "text/csv",
  ".html": "text/html",
  ".xml": "application/xml",
};
const BINARY_EXTENSIONS: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".gif": "image/gif",
  ".pdf": "application/pdf",
};

export const STANDING_URI = "worksite://standing";

/** Computed when read, so an approval decided a moment ago is already in it. */
async function standingText(session: McpSession): Promise<string> {
  const standing = await currentStanding(session.root, session.worksite, await readState(session.root));
  return renderFor(session.root, standing);
}

export function fileUri(file: string): string {
  return `worksite://files/${file}`;
}

/** `artifacts/round-1/shot.png` → `worksite://artifacts/round-1/shot.png`: the URI names the folder once. */
export function artifactUri(path: string): string {
  return `worksite://artifacts/${path.replace(/^artifacts\//, "")}`;
}

/** The artifact path a URI names; the old form that repeated `artifacts/` still resolves, for links already shared. */
function artifactPathOf(uriPath: string): string {
  return uriPath.startsWith("artifacts/") ? uriPath : `artifacts/${uriPath}`;
}

/** The worksite's own files, its artifacts and its skills, readable by the client. Artifacts are redacted when written. */
export function registerResources(server: McpServer, opened: McpSession | Promise<McpSession>): void {
  for (const { file, description } of FILES) {
    server.registerResource(
      file,
      fileUri(file),
      { title: file, description, mimeType: "text/markdown" },
      async (uri) => ({
        contents: [
          { uri: uri.href, mimeType: "text/markdown", text: await readWorksiteFile((await opened).root, file) },
        ],
      }),
    );
  }

  server.registerResource(
    "standing",
    STANDING_URI,
    {
      title: "Standing state",
      description:
        "Where the thread stands now: decisions (from the audit log), open problems, what the next wake checks, stop conditions",
      mimeType: "text/markdown",
    },
    async (uri) => ({
      contents: [{ uri: uri.href, mimeType: "text/markdown", text: await standingText(await opened) }],
    }),
  );

  server.registerResource(
    "artifacts",
    new ResourceTemplate("worksite://artifacts/{+path}", {
      list: async () => ({
        resources: (await settledIndex(await opened)).artifacts
          .filter((a) => isArtifactPath(a.path))
          .map((a) => ({
            uri: artifactUri(a.path),
            name: a.path,
            // Each its own title (a client lists them by it): round, file name, and what made it.
            title: `Round ${a.round}: ${basename(a.path)}${a.tool ? ` (${a.tool})` : ""}`,
            description: `${a.kind} from round ${a.round}${a.tool ? ` (${a.tool})` : ""}`,
            mimeType: mimeOf(a.path),
          })),
      }),
    }),
    { title: "Artifacts", description: "Evidence from the rounds: screenshots, test output, diffs, drafts" },
    async (uri, variables) => {
      const session = await opened;
      const wanted = artifactPathOf(String(variables.path ?? ""));
      const path = artifactFile(await settledIndex(session), wanted);
      if (!path) throw new Error(`artifact not found: ${wanted}`);
      return readArtifact(uri.href, session.root, path);
    },
  );

  server.registerResource(
    "skills",
    new ResourceTemplate("worksite://skills/{name}", {
      list: async () => ({
        resources: (await skillsOf((await opened).root)).map((s) => ({
          uri: `worksite://skills/${s.name}`,
          name: s.name,
          mimeType: "text/markdown",
          description: s.description,
        })),
      }),
    }),
    {
      title: "Skills",
      description: "The skills in effect: the worksite's skills/ and installed skill packages (SKILL.md)",
      mimeType: "text/markdown",
    },
    async (uri, variables) => {
      const name = String(variables.name ?? "");
      const skill = (await skillsOf((await opened).root)).find((s) => s.name === name);
      if (!skill) throw new Error(`no skill ${name}`);
      return { contents: [{ uri: uri.href, mimeType: "text/markdown", text: await readFile(skill.file, "utf8") }] };
    },
  );
}

/**
 * A screenshot's call returns before its file and index entry are on disk; a client that lists
 * or reads artifacts right after must still find it, so wait for the writes in flight first.
 */
async function settledIndex(session: McpSession): Promise<ArtifactIndex> {
  await session.gate.settled();
  return readArtifactIndex(session.root);
}

/** The skills in effect, found the way a round finds them (skills/ first, then installed packages). */
async function skillsOf(root: string) {
  return (await discoverSkills({ worksite: root, relativeTo: root })).skills;
}

/**
 * The one shape the artifact store writes: `artifacts/round-<N>/<name>`, the name made
 * by its safeName (no slash, no leading dot or dash). artifacts/index.json is an
 * ordinary worksite file an agent can write, so being listed there is not enough.
 */
const ARTIFACT_PATH = /^artifacts\/round-\d+\/[A-Za-z0-9_][A-Za-z0-9._-]*$/;

function isArtifactPath(path: string): boolean {
  return ARTIFACT_PATH.test(path);
}

/**
 * The artifact behind a URI, or undefined ("not found") unless the index lists it and it has the
 * store's shape. Symlinks and hard links are refused by readEvidenceFile when it is read.
 */
function artifactFile(index: ArtifactIndex, wanted: string): string | undefined {
  if (!isArtifactPath(wanted)) return undefined;
  return index.artifacts.some((a) => a.path === wanted) ? wanted : undefined;
}

function mimeOf(path: string): string {
  const ext = extname(path).toLowerCase();
  return TEXT_EXTENSIONS[ext] ?? BINARY_EXTENSIONS[ext] ?? "application/octet-stream";
}

async function readArtifact(uri: string, root: string, path: string): Promise<ReadResourceResult> {
  const mimeType = mimeOf(path);
  const got = await readEvidenceFile(root, path);
  if (!got.ok)
    throw new Error(got.problem === "missing" ? `no artifact ${uri}` : `artifact ${path} is not served: ${got.reason}`);
  if (BINARY_EXTENSIONS[extname(path).toLowerCase()] || mimeType === "application/octet-stream")
    return { contents: [{ uri, mimeType, blob: got.data.toString("base64") }] };
  return { contents: [{ uri, mimeType, text: got.data.toString("utf8") }] };
}

/** THREAD.md, GOAL.md, PERMISSIONS.md or PROGRESS.md: empty until it exists; a link to elsewhere is refused. */
async function readWorksiteFile(root: string, file: string): Promise<string> {
  const got = await readEvidenceFile(root, file);
  if (got.ok) return got.data.toString("utf8");
  if (got.problem === "missing") return "";
  throw new Error(`${file} is not served: ${got.reason}; worksite serves only its own regular files`);
}
