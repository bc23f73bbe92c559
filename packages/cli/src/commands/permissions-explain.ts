import { relative } from "node:path";
import type { Stage, TargetKind, Tier, Worksite } from "@worksite/core";
// Subpaths, and the runtime only when a tool's facts need it: explaining a browser rule must not start puppeteer (issue 13 item 3).
import { loadWorksite } from "@worksite/core/files";
import { UserError } from "@worksite/core/messages";
import { createPolicy, inferEffect, inferTargetKind } from "@worksite/core/policy";
import { redactSecrets } from "@worksite/core/secrets";
import { readPluginManifest } from "@worksite/runtime/plugin-manifest";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { styler } from "../io.js";

const EFFECTS = ["read", "write", "external"] as const;
const KINDS = ["url", "path", "command", "text"] as const;
const STAGES = ["monitor", "draft", "write"] as const;

/**
 * A policy question, so it answers for any tool id, loaded or not. The effect,
 * target kind and own default come from the tool when a run would have it; otherwise the effect is
 * inferred from the name (`*.read`, `*.list`, `*.search`, `*.snapshot`,
 * `*.screenshot` read; `file.*`, `memory.*` write; anything else external) and
 * the target is read by the kind of each rule that could match it.
 */
export default defineCommand({
  name: "permissions explain",
  usage:
    "permissions explain TOOL [TARGET…] [--effect read|write|external] [--kind url|path|command|text] [--stage monitor|draft|write] [--json]",
  summary: "show which tier PERMISSIONS.md gives a call, the deciding rule (file:line) and why",
  options: {
    effect: {
      type: "string",
      description: "the tool's effect, when it is not a built-in tool (default: inferred from the name)",
    },
    kind: {
      type: "string",
      description: "read the target as a url, path, command or text (default: by the tool and the rules)",
    },
    stage: { type: "string", description: "decide as if the thread were at this stage (default: THREAD.md's stage)" },
  },
  async run(args, io) {
    const [tool, ...rest] = args.positionals;
    if (!tool) throw new UserError("which tool?", { hint: "worksite permissions explain shell.run 'npm test'" });
    const target = rest.length ? rest.join(" ") : undefined;
    const root = findWorksite(args, io);
    const worksite = await loadWorksite(root);

    const known = await toolFacts(root, worksite, tool);
    const effect = pick(args.options.effect, EFFECTS, "--effect") ?? known?.effect ?? inferEffect(tool);
    const effectFrom = args.options.effect ? "option" : known ? "the tool" : "inferred from the name";
    const targetKind: TargetKind | undefined =
      pick(args.options.kind, KINDS, "--kind") ?? known?.targetKind ?? inferTargetKind(tool, target);
    const stage: Stage = pick(args.options.stage, STAGES, "--stage") ?? worksite.thread.stage;

    const decision = createPolicy(worksite.permissions, { root, stage }).decide({
      tool,
      target,
      effect,
      ...(targetKind ? { targetKind } : {}),
      ...(known?.defaultTier ? { defaultTier: known.defaultTier } : {}),
      ...(known?.namedAllowOnly ? { namedAllowOnly: true } : {}),
    });
    const rule = decision.rule
      ? { ...decision.rule, file: relative(root, decision.rule.file) || decision.rule.file }
      : null;
    // The decision saw the real target; what is printed never shows a password or token in it.
    const shownTarget = target === undefined ? undefined : hideSecrets(target);
    const reason = hideSecrets(decision.reason);

    if (args.options.json) {
      io.stdout(
        `${JSON.stringify({ tool, target: shownTarget ?? null, tier: decision.tier, rule, reason, by: decision.by ?? (rule ? "rule" : "default"), clamped: decision.clamped ?? false, stage, effect, effectFrom, targetKind: targetKind ?? null }, null, 2)}\n`,
      );
      return 0;
    }
    const paint = styler(io.isTTY);
    const colour =
      decision.tier === "allow"
        ? "green"
        : decision.tier === "forbidden"
          ? "red"
          : decision.tier === "confirm"
            ? "yellow"
            : "cyan";
    io.stdout(`${paint("bold", tool)}${shownTarget !== undefined ? ` ${shownTarget}` : ""}\n`);
    io.stdout(
      `  tier    ${paint(colour, decision.tier)}${decision.clamped ? paint("dim", ` (raised by the ${stage} stage)`) : ""}\n`,
    );
    io.stdout(
      `  rule    ${rule ? `${rule.file}:${rule.line}  \`${rule.text}\`` : decision.by === "floor" ? paint("red", "(the floor: no rule, stage or approval can lower it)") : paint("dim", decision.by === "built-in" ? "(built-in protection)" : "(none: the default decided)")}\n`,
    );
    io.stdout(`  reason  ${reason}\n`);
    io.stdout(
      paint(
        "dim",
        `  effect ${effect} (${effectFrom}) · target read as ${targetKind ?? "each rule's kind"} · stage ${stage}\n`,
      ),
    );
    return 0;
  },
});

/** What the policy needs to know of a tool, as a run of this worksite would have it. */
interface ToolFacts {
  effect: "read" | "write" | "external";
  targetKind?: TargetKind;
  defaultTier?: Tier;
  namedAllowOnly?: boolean;
}

/**
 * A THREAD.md plugin's tool is read from the manifest its package ships, without importing the
 * plugin. The built-in tools, and plugins with no manifest, come from a session as a run opens it
 * (THREAD.md's plugins are imported only when one of them has no manifest).
 */
async function toolFacts(root: string, worksite: Worksite, tool: string): Promise<ToolFacts | undefined> {
  const manifests = worksite.thread.plugins.map((name) => readPluginManifest(name, root));
  const owner = manifests.find((m) => m !== undefined && tool.startsWith(`${m.name}.`));
  if (owner) return owner.tools.find((t) => t.id === tool);
  const { openSession } = await import("@worksite/runtime");
  const withPlugins = manifests.some((m) => m === undefined);
  const open = (threadPlugins: boolean) => openSession({ root, actor: "person:explain", threadPlugins });
  const session = await (withPlugins ? open(true).catch(() => open(false)) : open(false));
  try {
    return session.gate.tools().find((t) => t.id === tool);
  } finally {
    await session.dispose();
  }
}

function pick<T extends string>(value: unknown, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UserError(`${flag} must be one of ${allowed.join(", ")}`, { hint: `e.g. ${flag} ${allowed[0]}` });
}

/**
 * Known secrets redacted, and any password in a URL's userinfo masked even when
 * it looks like a placeholder (`https://user:pass@host`): explain output gets
 * pasted into chats and tickets.
 */
export function hideSecrets(text: string): string {
  return redactSecrets(text).replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:@/?#]*):[^\s@/?#]+@/g, "$1:***@");
}
