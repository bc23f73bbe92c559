import { mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rule, tiers } from "./__fixtures__/rules.js";
import { createPolicy, ruleMatches } from "./policy.js";
import { tempDirSync } from "@worksite/test-support";

const root = tempDirSync("worksite-policy-unit-");
mkdirSync(join(root, "src"));
symlinkSync("/", join(root, "src", "to-slash"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("tiers and defaults", () => {
  const perms = tiers(
    {
      allow: ["file.write(src/**)", "browser.*"],
      "read-only": ["browser.open(https://news.example.com)"],
      draft: ["mail.send"],
      confirm: ["file.write(src/generated/**)"],
      forbidden: ["file.write(src/generated/keys/**)"],
    },
    { read: "allow", write: "confirm", external: "forbidden" },
  );
  const policy = createPolicy(perms, { root, stage: "write" });

  it("takes the strictest of several matching rules and names it with file and line", () => {
    const d = policy.decide({ tool: "file.write", target: "src/generated/keys/a.pem", effect: "write" });
    expect(d).toMatchObject({
      tier: "forbidden",
      rule: { text: "file.write(src/generated/keys/**)", file: "PERMISSIONS.md", line: 6 },
      by: "rule",
    });
    expect(d.reason).toContain("PERMISSIONS.md:6");
    expect(policy.decide({ tool: "file.write", target: "src/generated/x.ts", effect: "write" }).tier).toBe("confirm");
    expect(policy.decide({ tool: "file.write", target: "src/x.ts", effect: "write" }).tier).toBe("allow");
  });

  it("ranks read-only above allow when both match", () => {
    expect(policy.decide({ tool: "browser.open", target: "https://news.example.com/today", effect: "read" }).tier).toBe(
      "read-only",
    );
    expect(policy.decide({ tool: "browser.click", target: "e12", effect: "write" }).tier).toBe("allow");
  });

  it("uses the default for the tool's effect when no rule matches, and says so", () => {
    const external = policy.decide({ tool: "payments.charge", target: "10 EUR", effect: "external" });
    expect(external).toMatchObject({ tier: "forbidden", by: "default" });
    expect(external.rule).toBeUndefined();
    expect(external.reason).toContain("default for external tools");
    expect(policy.decide({ tool: "notes.read", effect: "read" }).tier).toBe("allow");
    expect(policy.decide({ tool: "mail.send", target: "a@b.c", effect: "external" }).tier).toBe("draft");
  });

  it("a rule with a target pattern does not match a call without a target", () => {
    expect(policy.decide({ tool: "file.write", effect: "write" })).toMatchObject({ tier: "confirm", by: "default" });
  });
});

describe("stage clamp", () => {
  const perms = tiers({ allow: ["shell.run(npm test)", "file.read"], forbidden: ["shell.run(rm)"] });

  it("monitor raises allow to read-only and marks the decision clamped", () => {
    const d = createPolicy(perms, { root, stage: "monitor" }).decide({
      tool: "shell.run",
      target: "npm test",
      effect: "external",
    });
    expect(d).toMatchObject({ tier: "read-only", clamped: true });
    expect(d.reason).toMatch(/monitor stage/);
  });

  it("draft raises allow to draft but never lowers forbidden", () => {
    const policy = createPolicy(perms, { root, stage: "draft" });
    expect(policy.decide({ tool: "shell.run", target: "npm test", effect: "external" })).toMatchObject({
      tier: "draft",
      clamped: true,
    });
    const d = policy.decide({ tool: "shell.run", target: "rm x", effect: "external" });
    expect(d.tier).toBe("forbidden");
    expect(d.clamped).toBeUndefined();
  });

  it("write leaves the rules' answer alone", () => {
    expect(
      createPolicy(perms, { root, stage: "write" }).decide({ tool: "file.read", target: "src/a", effect: "read" }).tier,
    ).toBe("allow");
  });
});

describe("URL rules", () => {
  const policy = createPolicy(
    tiers({
      allow: [
        "browser.open(https://*.example.com/**)",
        "browser.open(http://localhost:*/**)",
        "browser.open *.docs.dev/guide/**",
      ],
    }),
    { root, stage: "write" },
  );
  const tier = (target: string) => policy.decide({ tool: "browser.open", target, effect: "external" }).tier;

  it("*.example.com covers subdomains but not the apex", () => {
    expect(tier("https://a.example.com/")).toBe("allow");
    expect(tier("https://a.b.example.com/x")).toBe("allow");
    expect(tier("https://example.com/")).toBe("confirm");
  });

  it("an IDN host in a rule matches the punycode a browser uses", () => {
    const idn = createPolicy(tiers({ allow: ["browser.open(https://bücher.example/**)"] }), { root, stage: "write" });
    expect(
      idn.decide({ tool: "browser.open", target: "https://xn--bcher-kva.example/x", effect: "external" }).tier,
    ).toBe("allow");
    expect(idn.decide({ tool: "browser.open", target: "https://BÜCHER.example./x", effect: "external" }).tier).toBe(
      "allow",
    );
  });

  it("localhost:* matches any port; a pattern without a port only the default one", () => {
    expect(tier("http://localhost:3000/")).toBe("allow");
    expect(tier("https://a.example.com:444/")).toBe("confirm");
  });

  it("a pattern without a scheme means http or https, never file:", () => {
    expect(tier("https://v1.docs.dev/guide/intro")).toBe("allow");
    expect(tier("http://v1.docs.dev/guide/intro")).toBe("allow");
    expect(tier("https://v1.docs.dev/blog")).toBe("confirm");
    expect(tier("file:///v1.docs.dev/guide/intro")).toBe("confirm");
  });
});

describe("path rules", () => {
  const policy = createPolicy(
    tiers({
      allow: ["file.write(src/**)", "file.write(README.md)", "file.read(/usr/share/dict/**)"],
      forbidden: ["file.write(src/*.lock)"],
    }),
    {
      root,
      stage: "write",
    },
  );
  const tier = (tool: string, target: string, effect: "read" | "write" = "write") =>
    policy.decide({ tool, target, effect }).tier;

  it("src/** covers the folder itself and everything below it", () => {
    expect(tier("file.write", "src")).toBe("allow");
    expect(tier("file.write", "src/a/b/c.ts")).toBe("allow");
    expect(tier("file.write", "srcx/a.ts")).toBe("confirm");
  });

  it("* stays inside one folder", () => {
    expect(tier("file.write", "src/yarn.lock")).toBe("forbidden");
    expect(tier("file.write", "src/deep/yarn.lock")).toBe("allow");
  });

  it("a path outside the worksite is forbidden unless an absolute rule names it, and even then not allow", () => {
    expect(tier("file.read", "/usr/share/dict/words", "read")).toBe("read-only");
    expect(tier("file.read", "/usr/share/other", "read")).toBe("forbidden");
    expect(tier("file.read", "src/to-slash/usr/share/dict/words", "read")).toBe("read-only");
    expect(tier("file.read", "src/to-slash/etc/passwd", "read")).toBe("forbidden");
  });
});

describe("command rules", () => {
  const policy = createPolicy(
    tiers({
      allow: ["shell.run(npm test)", "shell.run(npm run *)", "shell.run(git status)"],
      forbidden: ["shell.run(git push --force)"],
    }),
    {
      root,
      stage: "write",
    },
  );
  const tier = (target: string) => policy.decide({ tool: "shell.run", target, effect: "external" }).tier;

  it("matches an argv prefix only", () => {
    expect(tier("npm test")).toBe("allow");
    expect(tier("npm   test --silent")).toBe("allow");
    expect(tier("npm testx")).toBe("confirm");
    expect(tier("npm")).toBe("confirm");
  });

  it("a * word is any one word", () => {
    expect(tier("npm run build")).toBe("allow");
    expect(tier("npm run")).toBe("confirm");
  });

  it("every part of a compound line must be allowed", () => {
    expect(tier("git status && npm test | cat")).toBe("confirm");
    expect(tier("git status && npm test")).toBe("allow");
  });

  it("names the part that decided", () => {
    const d = policy.decide({ tool: "shell.run", target: "npm test && git push origin --force", effect: "external" });
    expect(d.tier).toBe("forbidden");
    expect(d.rule?.text).toBe("shell.run(git push --force)");
    expect(d.reason).toContain("git push origin --force");
  });
});

describe("flag spellings", () => {
  const policy = createPolicy(
    tiers({
      allow: ["shell.run(rm -rf build)", "shell.run(git push --force)"],
      forbidden: ["shell.run(rm -rf)", "shell.run(git push --force)"],
    }),
    { root, stage: "write" },
  );
  const allowOnly = createPolicy(tiers({ allow: ["shell.run(rm -rf build)", "shell.run(git push --force)"] }), {
    root,
    stage: "write",
  });
  const tier = (p: typeof policy, target: string) => p.decide({ tool: "shell.run", target, effect: "external" }).tier;

  it("a forbidding rule catches clustered, split, reordered, upper-case -R and long spellings", () => {
    for (const t of ["rm -r -f y", "rm -fr y", "rm -Rf y", "rm --recursive --force y", "rm --force -R y"])
      expect(tier(policy, t), t).toBe("forbidden");
    for (const t of ["git push -f origin main", "git push origin +main", "git push --force-with-lease"])
      expect(tier(policy, t), t).toBe("forbidden");
  });

  it("a forbidding rule still needs every flag it names", () => {
    expect(tier(policy, "rm -r y")).toBe("confirm");
    expect(tier(policy, "rm -f y")).toBe("confirm");
    expect(tier(policy, "rm -- -r -f")).toBe("confirm");
    expect(tier(policy, "git push origin main")).toBe("confirm");
    expect(tier(policy, "git commit -f")).toBe("confirm");
  });

  it("a PERMISSIONS.md example in another spelling is checked the same way", () => {
    expect(ruleMatches(rule("forbidden", "shell.run(rm -rf)"), "shell.run", "rm --recursive --force x", root)).toBe(
      true,
    );
    expect(
      ruleMatches(rule("forbidden", "shell.run(git push --force)"), "shell.run", "git push origin +main", root),
    ).toBe(true);
    expect(ruleMatches(rule("allow", "shell.run(git push --force)"), "shell.run", "git push origin +main", root)).toBe(
      false,
    );
  });

  it("an allow rule stays an exact argv prefix: another spelling is not allowed", () => {
    expect(tier(allowOnly, "rm -rf build")).toBe("allow");
    expect(tier(allowOnly, "rm -fr build")).toBe("confirm");
    expect(tier(allowOnly, "rm -r -f build")).toBe("confirm");
    expect(tier(allowOnly, "git push --force")).toBe("allow");
    expect(tier(allowOnly, "git push -f")).toBe("confirm");
  });
});

describe("ruleMatches (used to check match:/not_match: examples)", () => {
  it("reads the example as the target, by the rule's kind", () => {
    expect(
      ruleMatches(
        rule("allow", "browser.open(https://*.example.com/**)"),
        "browser.open",
        "https://a.example.com/x",
        root,
      ),
    ).toBe(true);
    expect(
      ruleMatches(
        rule("allow", "browser.open(https://*.example.com/**)"),
        "browser.open",
        "https://example.com/x",
        root,
      ),
    ).toBe(false);
    expect(ruleMatches(rule("allow", "shell.run(npm test)"), "shell.run", "npm test -- --watch", root)).toBe(true);
    expect(ruleMatches(rule("allow", "shell.run(npm test)"), "shell.run", "npm install", root)).toBe(false);
    expect(ruleMatches(rule("allow", "shell.run(npm test)"), "shell.run", "npm test && rm -rf /", root)).toBe(false);
    expect(ruleMatches(rule("forbidden", "shell.run(rm)"), "shell.run", "npm test && rm -rf /", root)).toBe(true);
    expect(ruleMatches(rule("allow", "file.write(src/**)"), "file.write", "src/a.ts", root)).toBe(true);
    expect(ruleMatches(rule("allow", "file.write(src/**)"), "file.write", "src/../x", root)).toBe(false);
    expect(ruleMatches(rule("allow", "browser.*"), "browser.open", undefined, root)).toBe(true);
    expect(ruleMatches(rule("allow", "browser.*"), "file.read", "x", root)).toBe(false);
    expect(ruleMatches(rule("allow", "*"), "anything.at_all", "x", root)).toBe(true);
  });
});

describe("a command run in a folder of the worksite", () => {
  const perms = tiers(
    { allow: ["shell.run(npm test)", "file.write(src/**)"] },
    { read: "allow", write: "confirm", external: "confirm" },
  );
  const policy = createPolicy(perms, { root, stage: "write" });
  const decide = (target: string) =>
    policy.decide({ tool: "shell.run", target, effect: "external", targetKind: "command" });

  it("is allowed by the rule for the command, named as the deciding rule", () => {
    const d = decide("cd src && npm test");
    expect(d.tier).toBe("allow");
    expect(d.rule?.text).toBe("shell.run(npm test)");
  });

  it("decides a relative redirection in every folder the line may be in, so the cd cannot launder it", () => {
    expect(decide("cd src && npm test > ../out.log").tier).not.toBe("allow");
    expect(decide("cd src && npm test > out.log").tier).not.toBe("allow"); // ./out.log is not under src/**
  });
});

describe("a tool's own default tier", () => {
  const perms = tiers(
    { allow: ["memory.write(memory/team/**)"] },
    { read: "allow", write: "allow", external: "confirm" },
  );
  const at = (stage: "write" | "monitor") => createPolicy(perms, { root, stage });

  it("replaces PERMISSIONS.md's default for that tool when no rule matches", () => {
    const d = at("write").decide({
      tool: "memory.write",
      target: "memory/shop/a.md",
      effect: "write",
      targetKind: "path",
      defaultTier: "draft",
    });
    expect(d.tier).toBe("draft");
    expect(d.reason).toContain("the tool's own default is draft");
  });

  it("gives way to a rule that names the call, and never escapes the stage clamp", () => {
    expect(
      at("write").decide({
        tool: "memory.write",
        target: "memory/team/a.md",
        effect: "write",
        targetKind: "path",
        defaultTier: "draft",
      }).tier,
    ).toBe("allow");
    expect(
      at("monitor").decide({
        tool: "memory.write",
        target: "memory/team/a.md",
        effect: "write",
        targetKind: "path",
        defaultTier: "allow",
      }).tier,
    ).toBe("read-only");
  });
});

describe("what PERMISSIONS.md lets happen outside the gate", () => {
  it("notes, for a person, that allowing both writes and commands lets agent-written code run as the user", async () => {
    const { trustNotes } = await import("./trust-notes.js");
    const both = tiers({ allow: ["file.write(src/**)", "shell.run(npm test)"] });
    const [note] = trustNotes(both);
    expect(note).toMatchObject({ severity: "note", file: "PERMISSIONS.md" });
    expect(note!.message).toContain("`shell.run(npm test)` runs commands");
    expect(note!.hint).toContain("own OS user");
    expect(trustNotes(tiers({ allow: ["file.write(src/**)"], confirm: ["shell.run(npm test)"] }))).toEqual([]);
  });
});

describe("a command nested too deeply", () => {
  it("is refused with a message that says why and what to do, not a stack trace", () => {
    const policy = createPolicy(tiers({ allow: ["shell.run(echo)", "shell.run(ls)"] }), { root, stage: "write" });
    const d = policy.decide({
      tool: "shell.run",
      target: `echo ${"$(".repeat(1000)}ls${")".repeat(1000)}`,
      effect: "external",
    });
    expect(d.tier).toBe("forbidden");
    expect(d.reason).toMatch(/nests substitutions more than 32 deep.*several simpler commands/);
  });
});

describe("interpreters whose inline code names a control file", () => {
  const policy = createPolicy(tiers({ allow: ["shell.run(node)", "shell.run(awk)", "shell.run(python3)"] }), {
    root,
    stage: "write",
  });
  const tier = (target: string) => policy.decide({ tool: "shell.run", target, effect: "external" }).tier;

  it("need a person when the code given with -e/-c or as the awk program names one", () => {
    expect(tier(`node -e "require('fs').writeFileSync('PERMISSIONS.md', '')"`)).toBe("confirm");
    expect(tier(`python3 -c "open('THREAD.md', 'w')"`)).toBe("confirm");
    expect(tier(`awk '{ print > "GOAL.md" }' src/a.txt`)).toBe("confirm");
  });

  it("stay allowed when a control file is only a file they read", () => {
    expect(tier("node check.js PERMISSIONS.md")).toBe("allow");
    expect(tier("awk '{ print $1 }' THREAD.md")).toBe("allow");
    expect(tier(`python3 -c "print(1)" GOAL.md`)).toBe("allow");
  });
});
