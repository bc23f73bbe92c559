/**
 * A small glob for trigger paths: `**` crosses folders, `*` and `?` stay within
 * one, `{a,b}` alternates. A pattern without a slash matches a file name at any
 * depth, as .gitignore does, so `*.css` matches `src/app/site.css`.
 */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        const slash = glob[i + 2] === "/";
        re += slash ? "(?:.*/)?" : ".*";
        i += slash ? 2 : 1;
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else if (c === "{") {
      const end = glob.indexOf("}", i);
      if (end < 0) re += "\\{";
      else {
        re += `(?:${glob.slice(i + 1, end).split(",").map(escape).join("|")})`;
        i = end;
      }
    } else re += escape(c);
  }
  return new RegExp(`^${glob.includes("/") ? "" : "(?:.*/)?"}${re}$`);
}

function escape(s: string): string {
  return s.replace(/[.+^${}()|[\]\\]/g, "\\$&");
}

export function matchesGlob(path: string, glob: string): boolean {
  const normal = path.replace(/\\/g, "/").replace(/^\.\//, "");
  return globToRegExp(glob.replace(/^\.\//, "")).test(normal);
}
