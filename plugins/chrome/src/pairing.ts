import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { worksiteId, worksiteStateDir } from "@worksite/core";
import { z } from "zod";

/*
 * A worksite's pairing with the person's Chrome: one random token, kept in
 * the person's state folder (out of the sandbox's reach, like approvals),
 * and in the extension's storage. Where the relay last stood and why it was
 * refused go beside it, so `worksite chrome status` can say what to do next,
 * and so does the relay's port: every process of the worksite listens there
 * again, and the paired extension comes back to it by itself, so a scheduled
 * wake with nobody around connects.
 */

/**
 * Where this worksite's relay listens: the same port for every process, so the extension finds it with no person.
 * No path is kept: whatever listens at the port while no relay does hears any path the extension dials, so the
 * path a paired extension dials is fixed and public, and only the HMAC handshake lets it in (relay.ts).
 */
export interface RelayAddress {
  port: number;
}

export interface ChromeStatus {
  state: "waiting" | "connected" | "refused" | "stopped" | "closed";
  reason?: string;
  connectUrl?: string;
  pid: number;
  at: string;
}

export interface PairingStore {
  worksite: string;
  /** Whether `candidate` is the stored token, compared in constant time. */
  matches(candidate: string): boolean;
  has(): boolean;
  /** HMAC-SHA-256 of `message` keyed by the stored token (hex), or undefined when not paired. */
  sign(message: string): string | undefined;
  /** Whether `proof` is `sign(message)`, compared in constant time. */
  verifies(proof: string, message: string): boolean;
  /** Makes and stores a new token (a person clicked Allow). */
  issue(): string;
  forget(): boolean;
  writeStatus(status: Omit<ChromeStatus, "pid" | "at">): void;
  readStatus(): ChromeStatus | undefined;
  /** The relay's kept address, if a relay of this worksite ever listened. */
  readAddress(): RelayAddress | undefined;
  keepAddress(address: RelayAddress): void;
}

const addressSchema = z.object({ port: z.number().int().min(1).max(65_535) });

function writeAtomic(file: string, text: string) {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, file);
}

const digest = (text: string) => createHash("sha256").update(text).digest();
/** What the relay and the extension prove to each other with, never sending the token itself (protocol.ts). */
export const hmac = (token: string, message: string) => createHmac("sha256", token).update(message).digest("hex");

export function openPairingStore(root: string, env: NodeJS.ProcessEnv = process.env): PairingStore {
  const id = worksiteId(root, { create: true }, env) as string;
  const dir = join(worksiteStateDir(root, { create: true }, env) as string, "chrome");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tokenFile = join(dir, "pairing.json");
  const statusFile = join(dir, "status.json");
  const addressFile = join(dir, "relay.json");
  const read = (): string | undefined => {
    try {
      const token = (JSON.parse(readFileSync(tokenFile, "utf8")) as { token?: unknown }).token;
      return typeof token === "string" && token.length >= 32 ? token : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    worksite: id,
    has: () => read() !== undefined,
    matches(candidate) {
      const token = read();
      // Equal-length digests: the comparison takes the same time whatever the candidate.
      return token !== undefined && timingSafeEqual(digest(token), digest(candidate));
    },
    sign(message) {
      const token = read();
      return token === undefined ? undefined : hmac(token, message);
    },
    verifies(proof, message) {
      const token = read();
      return token !== undefined && timingSafeEqual(digest(hmac(token, message)), digest(proof));
    },
    issue() {
      const token = randomBytes(32).toString("base64url");
      writeAtomic(tokenFile, `${JSON.stringify({ token, pairedAt: new Date().toISOString() })}\n`);
      return token;
    },
    forget() {
      const had = existsSync(tokenFile);
      rmSync(tokenFile, { force: true });
      return had;
    },
    writeStatus(status) {
      writeAtomic(statusFile, `${JSON.stringify({ ...status, pid: process.pid, at: new Date().toISOString() })}\n`);
    },
    readStatus() {
      try {
        return JSON.parse(readFileSync(statusFile, "utf8")) as ChromeStatus;
      } catch {
        return undefined;
      }
    },
    readAddress() {
      try {
        // A damaged or hand-edited file is no address: the relay picks a new one and keeps that.
        const parsed = addressSchema.safeParse(JSON.parse(readFileSync(addressFile, "utf8")));
        return parsed.success ? parsed.data : undefined;
      } catch {
        return undefined;
      }
    },
    keepAddress(address) {
      writeAtomic(addressFile, `${JSON.stringify({ port: address.port })}\n`);
    },
  };
}
