import { readEvidenceFile } from "@worksite/core";

/** PROGRESS.md cut into what comes before the rounds (any standing state the runtime keeps there) and one part per round. */
export interface Progress {
  /** Everything that is not a round section: the title, a standing-state section, notes — shown as written. */
  standing: string;
  rounds: { round: number; heading: string; body: string }[];
  /** Why it could not be read (a symlink, too big), for the page to say. */
  problem?: string;
}

const ROUND = /^## Round (\d+)\b.*$/;

/** Read as evidence: a PROGRESS.md that is a symlink to a secret is refused, not shown. */
export async function readProgress(root: string): Promise<Progress> {
  const got = await readEvidenceFile(root, "PROGRESS.md");
  if (!got.ok) return { standing: "", rounds: [], ...(got.problem === "missing" ? {} : { problem: got.reason }) };
  return splitProgress(got.data.toString("utf8"));
}

export function splitProgress(text: string): Progress {
  const standing: string[] = [];
  const rounds: Progress["rounds"] = [];
  let current: { round: number; heading: string; lines: string[] } | undefined;
  const close = () => {
    if (current) rounds.push({ round: current.round, heading: current.heading, body: current.lines.join("\n") });
    current = undefined;
  };
  for (const line of text.split("\n")) {
    const m = ROUND.exec(line);
    if (m) {
      close();
      current = { round: Number(m[1]), heading: line.slice(3), lines: [] };
    } else if (current && /^#{1,2} /.test(line)) {
      // Another top-level section (a standing state, notes) ends the round: it belongs to the whole thread.
      close();
      standing.push(line);
    } else if (current) current.lines.push(line);
    else standing.push(line);
  }
  close();
  return { standing: standing.join("\n").trim(), rounds };
}
