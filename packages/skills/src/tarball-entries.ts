import { UserError } from "@worksite/core";
import { exec, type ExecOptions } from "./npm.js";

/**
 * Checks a package tarball before anything is unpacked: every entry must be a
 * plain file or folder under `package/`. Symbolic and hard links, devices,
 * absolute names and `..` segments are refused, as careful tar extractors do:
 * a link inside a skill let `skill.read` print the person's seal key (issue 20).
 */
export async function assertSafeTarball(tarball: string, shownAs: string, options: ExecOptions): Promise<void> {
  // GNU tar's verbose listing starts each line with the entry's type: - file, d folder, l symlink, h hard link.
  const verbose = (await exec("tar", ["-tvzf", tarball], options)).split("\n").filter(Boolean);
  const names = (await exec("tar", ["-tzf", tarball], options)).split("\n").filter(Boolean);
  const refused: string[] = [];
  verbose.forEach((line, i) => {
    const name = names[i] ?? line;
    const type = line[0];
    if (type === "l" || type === "h") refused.push(`${name} (a ${type === "l" ? "symbolic" : "hard"} link)`);
    else if (type !== "-" && type !== "d") refused.push(`${name} (not a plain file or folder)`);
    else if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) refused.push(`${name} (an absolute path)`);
    else if (name.split(/[\\/]/).includes("..")) refused.push(`${name} (climbs out with ..)`);
    else if (!name.startsWith("package/")) refused.push(`${name} (outside package/)`);
  });
  if (verbose.length !== names.length) refused.push("an entry whose name holds a line break");
  if (refused.length)
    throw new UserError(
      `refusing to install ${shownAs}: it holds ${refused.slice(0, 5).join(", ")}${refused.length > 5 ? ` and ${refused.length - 5} more` : ""}`,
      {
        hint: "a skill package holds only plain files and folders; make it with worksite skill pack or npm pack",
      },
    );
}
