import { mkdir, open, readFile } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import type { ArtifactInput, ArtifactKind, ArtifactRef, ArtifactStore } from "./types.js";
import { withFileLock, writeFileAtomic } from "./atomic-file.js";
import { redactDeep } from "../gate/call-hash.js";

export interface ArtifactStoreOptions {
  /** Absolute worksite root. */
  root: string;
  run: string;
  round: number;
  /** Applied to every text artifact before it touches the disk. */
  redact: (text: string) => string;
  /** Tool id recorded on every artifact this store writes (the gate makes one store per call). */
  tool?: string;
  /** Called with each written artifact (the gate collects them for the audit entry). */
  onWrite?: (ref: ArtifactRef) => void;
}

export interface ArtifactIndex {
  version: 1;
  artifacts: ArtifactRef[];
}

export const ARTIFACT_INDEX = "artifacts/index.json";

export function createArtifactStore(options: ArtifactStoreOptions): ArtifactStore {
  const { root, run, round, redact } = options;
  const folder = `artifacts/round-${round}`;

  return {
    async write(input: ArtifactInput): Promise<ArtifactRef> {
      await mkdir(join(root, folder), { recursive: true });
      const data = typeof input.data === "string" ? redact(input.data) : input.data;
      const name = await createUnique(join(root, folder), safeName(input.name, input.kind), data);
      const ref: ArtifactRef = {
        path: `${folder}/${name}`,
        kind: input.kind,
        round,
        run,
        created: new Date().toISOString(),
        ...(options.tool ? { tool: options.tool } : {}),
        ...(input.meta ? { meta: redactDeep(input.meta, redact) } : {}),
      };
      await withFileLock(join(root, ARTIFACT_INDEX), async () => {
        const index = await readArtifactIndex(root);
        index.artifacts.push(ref);
        await writeFileAtomic(join(root, ARTIFACT_INDEX), `${JSON.stringify(index, null, 2)}\n`);
      });
      options.onWrite?.(ref);
      return ref;
    },

    async list(filter?: { round?: number; kind?: ArtifactKind }): Promise<ArtifactRef[]> {
      const { artifacts } = await readArtifactIndex(root);
      return artifacts.filter((a) => (filter?.round === undefined || a.round === filter.round) && (filter?.kind === undefined || a.kind === filter.kind));
    },
  };
}

export async function readArtifactIndex(root: string): Promise<ArtifactIndex> {
  let text: string;
  try {
    text = await readFile(join(root, ARTIFACT_INDEX), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, artifacts: [] };
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<ArtifactIndex> | ArtifactRef[];
  // Tolerate a bare array (hand-made or older index) rather than losing it.
  if (Array.isArray(parsed)) return { version: 1, artifacts: parsed };
  return { version: 1, artifacts: Array.isArray(parsed.artifacts) ? parsed.artifacts : [] };
}

const EXTENSIONS: Partial<Record<ArtifactKind, string>> = {
  markdown: ".md",
  diff: ".diff",
  log: ".log",
  "test-result": ".log",
  draft: ".json",
  json: ".json",
  screenshot: ".png",
  table: ".csv",
};

/** A file name that cannot leave the round folder or surprise a shell. */
function safeName(wanted: string, kind: ArtifactKind): string {
  let name = basename(wanted.replace(/\\/g, "/"))
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+/, "")
    .slice(0, 100);
  if (!name) name = kind;
  if (!extname(name) && EXTENSIONS[kind]) name += EXTENSIONS[kind];
  return name;
}

/** Create the file with O_EXCL so two writers never pick the same name. */
async function createUnique(dir: string, name: string, data: string | Uint8Array): Promise<string> {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? name : `${stem}-${n}${ext}`;
    try {
      const handle = await open(join(dir, candidate), "wx");
      try {
        await handle.writeFile(data);
      } finally {
        await handle.close();
      }
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}
