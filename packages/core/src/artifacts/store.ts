import { mkdir, open, rm, writeFile } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import type { ArtifactInput, ArtifactKind, ArtifactRef, ArtifactStore } from "./types.js";
import { withFileLock, writeFileAtomic } from "./atomic-file.js";
import { UserError } from "../errors.js";
import { readEvidenceFile } from "./read-evidence.js";
import { redactDeep } from "../secrets/redact-deep.js";

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
  /** Where `background` writes are tracked; without it every write is finished before `write` returns. */
  pending?: PendingWrites;
}

/** Writes still under way, so an end (a round's verification, a dispose) can wait for all of them. */
export interface PendingWrites {
  track(write: Promise<unknown>): void;
  /** Resolves when every write tracked so far has finished; rejects with the first that failed. */
  settled(): Promise<void>;
}

export function createPendingWrites(): PendingWrites {
  const running = new Set<Promise<unknown>>();
  const failures: unknown[] = [];
  return {
    track(write) {
      const held = write.then(
        () => {},
        (error: unknown) => {
          failures.push(error);
        },
      );
      running.add(held);
      void held.finally(() => running.delete(held));
    },
    async settled() {
      while (running.size) await Promise.all(running);
      const failed = failures.splice(0);
      if (failed.length) throw failed[0];
    },
  };
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
      const later = input.background === true && options.pending !== undefined;
      const coming = input.data instanceof Promise ? input.data : undefined;
      const given = coming ? (later ? new Uint8Array() : await coming) : (input.data as string | Uint8Array);
      if (given === undefined) throw new Error(`artifact ${input.name}: its data never came`);
      const data = typeof given === "string" ? redact(given) : given;
      // Deferred: the name is taken now (an empty file), the bytes follow; the index lists it only once they are there.
      const name = await createUnique(join(root, folder), safeName(input.name, input.kind), later ? "" : data);
      const ref: ArtifactRef = {
        path: `${folder}/${name}`,
        kind: input.kind,
        round,
        run,
        created: new Date().toISOString(),
        ...(options.tool ? { tool: options.tool } : {}),
        ...(input.meta ? { meta: redactDeep(input.meta, redact) } : {}),
      };
      const list = () =>
        withFileLock(join(root, ARTIFACT_INDEX), async () => {
          const index = await readArtifactIndex(root);
          index.artifacts.push(ref);
          await writeFileAtomic(join(root, ARTIFACT_INDEX), `${JSON.stringify(index, null, 2)}\n`);
        });
      const file = join(root, ref.path);
      if (later && coming)
        options.pending!.track(
          coming.then(async (bytes) => {
            if (bytes === undefined) return rm(file, { force: true });
            await writeFile(file, bytes);
            await list();
            options.onWrite?.(ref);
          }),
        );
      else if (later) options.pending!.track(writeFile(file, data).then(list));
      else await list();
      if (!coming || !later) options.onWrite?.(ref);
      return ref;
    },

    async list(filter?: { round?: number; kind?: ArtifactKind }): Promise<ArtifactRef[]> {
      const { artifacts } = await readArtifactIndex(root);
      return artifacts.filter(
        (a) =>
          (filter?.round === undefined || a.round === filter.round) &&
          (filter?.kind === undefined || a.kind === filter.kind),
      );
    },
  };
}

export async function readArtifactIndex(root: string): Promise<ArtifactIndex> {
  // Read as evidence: a symlinked or hard-linked index could list (and so serve) files from anywhere.
  const got = await readEvidenceFile(root, ARTIFACT_INDEX);
  if (!got.ok && got.problem === "missing") return { version: 1, artifacts: [] };
  if (!got.ok) {
    const message = `${ARTIFACT_INDEX} is not read: ${got.reason}`;
    const hint =
      "the artifact store writes it as a plain file; move this one aside (a new index starts with the next artifact)";
    throw new UserError(message, {
      hint,
      diagnostics: [{ file: ARTIFACT_INDEX, line: 1, severity: "error", message, hint }],
    });
  }
  const text = got.data.toString("utf8");
  let parsed: Partial<ArtifactIndex> | ArtifactRef[] | null;
  try {
    parsed = JSON.parse(text) as Partial<ArtifactIndex> | ArtifactRef[] | null;
  } catch (error) {
    throw badIndex(text, (error as Error).message);
  }
  // Tolerate a bare array (hand-made or older index) rather than losing it.
  if (Array.isArray(parsed)) return { version: 1, artifacts: parsed };
  if (typeof parsed !== "object" || parsed === null) throw badIndex(text, "it holds no object with an artifacts list");
  return { version: 1, artifacts: Array.isArray(parsed.artifacts) ? parsed.artifacts : [] };
}

/** A hand-edited index stops the run with where and why, never a stack. */
function badIndex(text: string, why: string): UserError {
  const { position, reason } = jsonProblem(text, why);
  const line = position === undefined ? 1 : text.slice(0, position).split("\n").length;
  const message = `${ARTIFACT_INDEX} is not valid JSON: ${reason}`;
  const hint = `fix it, or move it aside (the files under artifacts/round-*/ stay; a new index starts with the next artifact)`;
  return new UserError(message, {
    hint,
    diagnostics: [{ file: ARTIFACT_INDEX, line, severity: "error", message, hint }],
  });
}

/**
 * Where JSON.parse stopped, from its message: "… at position N", or Node 20's
 * `Unexpected token ',', ..."snippet"... is not valid JSON`, whose snippet is found in the text.
 */
function jsonProblem(text: string, message: string): { position?: number; reason: string } {
  const at = /at position (\d+)/.exec(message);
  if (at) return { position: Number(at[1]), reason: message.split("\n")[0]! };
  // V8 quotes up to 10 characters either side of the bad one, marking a cut with "...".
  const token = /^Unexpected token '([\s\S])', (\.\.\.)?"([\s\S]*?)"(\.\.\.)? is not valid JSON$/.exec(message);
  if (token) {
    const [, bad, cutBefore, snippet, cutAfter] = token as unknown as [
      string,
      string,
      string | undefined,
      string,
      string | undefined,
    ];
    const start = text.indexOf(snippet);
    const offset = cutBefore ? 10 : cutAfter ? snippet.length - 10 : snippet.indexOf(bad);
    return { ...(start >= 0 ? { position: start + offset } : {}), reason: `unexpected ${JSON.stringify(bad)}` };
  }
  return { reason: message.split("\n")[0]! };
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

/**
 * Where the last name of each folder and wanted name was found free: the next write tries from there. Without
 * it the n-th `screenshot.png` of a round tried n taken names first, one open each (issue 13 item 4).
 */
const nextFree = new Map<string, number>();
const NEXT_FREE_LIMIT = 1_000;

/** Create the file with O_EXCL so two writers never pick the same name. */
async function createUnique(dir: string, name: string, data: string | Uint8Array): Promise<string> {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  const key = join(dir, name);
  for (let n = nextFree.get(key) ?? 1; ; n++) {
    const candidate = n === 1 ? name : `${stem}-${n}${ext}`;
    try {
      const handle = await open(join(dir, candidate), "wx");
      try {
        await handle.writeFile(data);
      } finally {
        await handle.close();
      }
      // A process that runs for weeks (wake, a panel) meets a new folder every round: forget, never grow without end.
      // Forgetting only costs the next write a few taken names; O_EXCL keeps it correct.
      if (nextFree.size >= NEXT_FREE_LIMIT && !nextFree.has(key)) nextFree.clear();
      nextFree.set(key, n + 1);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}
