/**
 * The files a command writes through its own options and operands, not through
 * a redirection: `git log --output=F`, `find -fprint F`, `tee F`, `dd of=F`,
 * `sort -o F`, `cp … DEST`, `sed -i … F`, `rm F` … Each is decided as a
 * `file.write` of that path, so an allowed `git log` cannot rewrite
 * PERMISSIONS.md (issue 11 item 5). Defence in depth: the OS sandbox is the
 * wall; this table makes the gate's decision say what the command will do.
 */
import { basename, posix } from "node:path";
import type { Word } from "./parse-command.js";
import { CURL_VALUES, OUTPUT_OPTIONS, RSYNC_VALUES, set, WGET_VALUES } from "./write-target-options.js";

export interface WriteTarget {
  word: Word;
  /** What writes it, for messages: "git log --output", "tee", "find -delete". */
  how: string;
  /** Everything below the path is written too (`rm -r`, `find -delete`, `rsync --delete`). */
  recursive?: boolean;
  /** Files below the path are written under names nobody can see yet (an archive's, a patch's, a folder's contents). */
  unknownNames?: boolean;
}

/** `--output json` in kubectl, aws and friends is a format, not a file. */
const FORMAT_WORDS =
  /^(?:json|jsonl|ndjson|yaml|yml|text|txt|table|wide|name|tsv|csv|plain|raw|short|full|oneline|none|jsonpath.*|go-template.*|custom-columns.*|template.*)$/i;

interface Options {
  /** Option name (as written, `-o` or `--output`) → its values. */
  values: Map<string, Word[]>;
  flags: Set<string>;
  operands: Word[];
}

/**
 * Read options the getopt way: `--name=value`, `--name value` (for names in
 * `withValue`), short clusters `-abc` where a letter in `withValue` takes the rest
 * of the cluster or the next word; `--` ends options.
 */
function readOptions(args: readonly Word[], withValue: ReadonlySet<string>): Options {
  const out: Options = { values: new Map(), flags: new Set(), operands: [] };
  const put = (name: string, value: Word) => out.values.set(name, [...(out.values.get(name) ?? []), value]);
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    // The word as far as it is known: `--output=$F` is still the option --output.
    const t = known(w);
    if (!t.startsWith("-") || t === "-") {
      out.operands.push(w);
      continue;
    }
    if (t === "--" && !w.computed) {
      out.operands.push(...args.slice(i + 1));
      break;
    }
    if (t.startsWith("--")) {
      const eq = t.indexOf("=");
      if (eq > 0) put(t.slice(0, eq), part(w, w.text.slice(eq + 1)));
      else if (w.computed) out.operands.push(w);
      else if (withValue.has(t) || OUTPUT_OPTIONS.has(t)) {
        const v = args[i + 1];
        if (v) put(t, v);
        i++;
      } else out.flags.add(t);
      continue;
    }
    for (let c = 1; c < t.length; c++) {
      const name = `-${t[c]}`;
      if (withValue.has(name)) {
        const rest = w.text.slice(c + 1);
        if (rest) put(name, part(w, rest));
        else if (args[i + 1]) put(name, args[++i]!);
        break;
      }
      out.flags.add(name);
    }
  }
  return out;
}

/** The literal start of a word, up to its first unknown part. */
function known(w: Word): string {
  if (!w.computed && !w.glob) return w.text;
  const shape = w.shape ?? "";
  const cut = shape.search(/[\0\u0001\u0002]/);
  return cut < 0 ? shape : shape.slice(0, cut);
}

/** The value attached to an option word (the text after `known(w)`'s option name); unknown if any of the word is. */
function part(w: Word, text: string): Word {
  return w.glob || w.computed ? { text, computed: true } : { text, computed: false };
}

const has = (o: Options, ...names: string[]) => names.some((n) => o.flags.has(n) || o.values.has(n));
const valuesOf = (o: Options, ...names: string[]) => names.flatMap((n) => o.values.get(n) ?? []);
const targets = (how: string, words: readonly Word[], recursive = false): WriteTarget[] =>
  words.map((word) => ({ word, how, ...(recursive ? { recursive } : {}) }));
const into = (how: string, words: readonly Word[]): WriteTarget[] =>
  words.map((word) => ({ word, how, unknownNames: true }));

/** Where `cp`/`mv`/`ln`/`install` write: the destination, and each source's name inside it. */
function copyTargets(name: string, o: Options, removesSources: boolean): WriteTarget[] {
  const dir = valuesOf(o, "-t", "--target-directory")[0];
  const operands = o.operands;
  const dest =
    dir ?? (operands.length >= 2 || name === "install" ? operands.at(-1) : name === "ln" ? undefined : operands.at(-1));
  const sources = dir ? operands : operands.slice(0, -1);
  const out: WriteTarget[] = [];
  if (name === "ln" && !dir && operands.length === 1) {
    // `ln -s /x/PERMISSIONS.md` makes ./PERMISSIONS.md.
    const only = operands[0]!;
    out.push({ word: only.computed ? only : { text: basename(only.text), computed: false }, how: name });
    return out;
  }
  if (dest) {
    out.push({ word: dest, how: name });
    for (const s of sources) {
      const base = basename(s.text);
      if (s.computed || dest.computed)
        out.push({ word: { text: `${dest.text}/${s.text}`, computed: true }, how: name });
      // `cp /tmp/x/P* .`: each name the glob matches lands in dest.
      else if (s.glob && s.shape)
        out.push({
          word: {
            text: posix.join(dest.text, base),
            computed: false,
            glob: /./,
            shape: posix.join(dest.text, basename(s.shape)),
          },
          how: name,
        });
      // `cp -r /tmp/x/. .`: the folder's contents, whatever they are named, land in dest.
      else if (base === "." || base === ".." || s.text.endsWith("/."))
        out.push({ word: dest, how: `${name} (the contents of ${s.text})`, unknownNames: true });
      else out.push({ word: { text: posix.join(dest.text, base), computed: false }, how: name });
    }
  }
  if (removesSources) out.push(...targets(name, sources));
  return out;
}

/** `sed -i`, `perl -i`: with `-e`/`-f`, every operand is a file; else the first is the script. */
function inPlaceTargets(name: string, o: Options): WriteTarget[] {
  const scripted = has(o, "-e", "--expression", "-f", "--file");
  const files = scripted ? o.operands : o.operands.slice(1);
  // BSD `sed -i '' …`: the empty word is the backup suffix.
  return targets(
    `${name} -i`,
    files.filter((w) => w.computed || w.text !== ""),
  );
}

/** `find`: -fprint/-fprint0/-fls/-fprintf FILE, and -delete removes what it finds below each start. */
function findTargets(args: readonly Word[]): WriteTarget[] {
  const out: WriteTarget[] = [];
  let firstTest = args.findIndex((w) => w.computed || /^[-(!]/.test(w.text));
  if (firstTest < 0) firstTest = args.length;
  for (let i = firstTest; i < args.length; i++) {
    const t = args[i]!.text;
    if (/^-(fprint|fprint0|fls|fprintf)$/.test(t) && args[i + 1]) out.push({ word: args[i + 1]!, how: `find ${t}` });
    if (t === "-delete") {
      const starts = args.slice(0, firstTest);
      out.push(...targets("find -delete", starts.length ? starts : [{ text: ".", computed: false }], true));
    }
  }
  return out;
}

/** The URL's last path segment: the name `wget URL` and `curl -O URL` save it under. */
function remoteName(url: Word): Word {
  if (url.computed) return url;
  const path = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(url.text)?.[1] ?? "";
  const name = decodeURIComponentSafe(path.split("/").pop() ?? "");
  return { text: name || "index.html", computed: false };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Every file `argv` writes by its own options and operands (redirections are read elsewhere). */
export function writeTargets(argv: readonly Word[]): WriteTarget[] {
  const program = argv[0];
  if (!program || program.computed) return [];
  // Some file systems fold case: `TEE` may be tee.
  const name = basename(program.text).toLowerCase();
  const args = argv.slice(1);
  const out: WriteTarget[] = [];
  // `busybox tee F` is tee.
  if (name === "busybox" && args[0] && !args[0].computed) return writeTargets(args);

  // Any program: --output=FILE and its kin, unless the value is a format name.
  const label =
    name === "git" ? `git ${args.find((w) => !w.computed && !w.text.startsWith("-"))?.text ?? ""}`.trim() : name;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    const t = known(w);
    if (!t.startsWith("--")) continue;
    const eq = t.indexOf("=");
    const opt = eq > 0 ? t.slice(0, eq) : t;
    // getopt_long and git take an unambiguous abbreviation: `--outp=F` is --output.
    const abbreviated = eq > 0 && opt.length >= 6 && "--output".startsWith(opt);
    if ((!OUTPUT_OPTIONS.has(opt) && !abbreviated) || (eq < 0 && w.computed)) continue;
    const value = eq > 0 ? part(w, w.text.slice(eq + 1)) : args[i + 1];
    if (value && (value.computed || !FORMAT_WORDS.test(value.text))) out.push({ word: value, how: `${label} ${opt}` });
  }

  switch (name) {
    case "find":
      out.push(...findTargets(args));
      break;
    case "tee":
      out.push(
        ...targets(
          "tee",
          readOptions(args, set()).operands.filter((w) => w.computed || w.text !== "-"),
        ),
      );
      break;
    case "dd":
      for (const w of args) if (w.text.startsWith("of=")) out.push({ word: part(w, w.text.slice(3)), how: "dd of=" });
      break;
    case "sort":
      out.push(
        ...targets(
          "sort -o",
          valuesOf(
            readOptions(
              args,
              set("-o", "-k", "-t", "-S", "-T", "--key", "--field-separator", "--buffer-size", "--temporary-directory"),
            ),
            "-o",
          ),
        ),
      );
      break;
    case "git": {
      let sub = 0;
      const dirs: Word[] = [];
      while (sub < args.length && args[sub]!.text.startsWith("-") && !args[sub]!.computed) {
        if (/^-[Cc]$|^--(git-dir|work-tree|namespace)$/.test(args[sub]!.text)) {
          if (args[sub]!.text === "-C" && args[sub + 1]) dirs.push(args[sub + 1]!);
          sub++;
        }
        sub++;
      }
      const subName = args[sub]?.text;
      if (subName === "apply" && !args.slice(sub + 1).some((w) => /^--(check|stat|numstat|summary)$/.test(w.text)))
        out.push({
          word: { text: ".", computed: false },
          how: "git apply (files named in the patch)",
          unknownNames: true,
        });
      if (subName === "format-patch" || subName === "archive") {
        const o = readOptions(args.slice(sub + 1), set("-o", "-v", "--prefix", "--format", "--subject-prefix"));
        out.push(...targets(`git ${subName} -o`, valuesOf(o, "-o"), subName === "format-patch"));
      }
      // `git -C dir log --output=f` writes dir/f.
      const dir = dirs.reduce((a, d) => (d.computed ? "\0" : posix.join(a, d.text)), ".");
      if (dir !== ".")
        return out.map((t) =>
          t.word.computed || t.word.text.startsWith("/")
            ? t
            : {
                ...t,
                word: dir.includes("\0")
                  ? { text: t.word.text, computed: true }
                  : { text: posix.join(dir, t.word.text), computed: false },
              },
        );
      break;
    }
    case "curl": {
      const o = readOptions(args, CURL_VALUES);
      out.push(
        ...targets("curl -o", valuesOf(o, "-o")),
        ...targets("curl -D", valuesOf(o, "-D")),
        ...targets("curl -c", valuesOf(o, "-c")),
      );
      if (has(o, "-O", "--remote-name", "--remote-name-all", "-J", "--remote-header-name"))
        out.push(
          ...targets("curl -O", o.operands.filter((w) => w.computed || /^[a-z]+:\/\//i.test(w.text)).map(remoteName)),
        );
      break;
    }
    case "wget": {
      const o = readOptions(args, WGET_VALUES);
      out.push(...targets("wget -O", valuesOf(o, "-O")), ...targets("wget -o", valuesOf(o, "-o", "-a")));
      const dir = valuesOf(o, "-P")[0];
      if (!has(o, "-O", "--output-document", "--spider"))
        for (const url of o.operands) {
          const file = remoteName(url);
          out.push({
            word: dir && !file.computed ? { text: posix.join(dir.text, file.text), computed: dir.computed } : file,
            how: "wget",
          });
        }
      break;
    }
    case "cp":
    case "mv":
    case "ln":
    case "install": {
      const o = readOptions(
        args,
        set(
          "-t",
          "--target-directory",
          "-S",
          "--suffix",
          "-m",
          "--mode",
          "-o",
          "--owner",
          "-g",
          "--group",
          "--backup",
          "--reflink",
          "--sparse",
          "--preserve",
          "--no-preserve",
        ),
      );
      if (name === "install" && has(o, "-d", "--directory")) out.push(...targets("install -d", o.operands));
      else out.push(...copyTargets(name, o, name === "mv"));
      break;
    }
    case "rsync": {
      const o = readOptions(args, RSYNC_VALUES);
      const dest = o.operands.length >= 2 ? o.operands.at(-1) : undefined;
      // `host:path` and `rsync://` destinations are on another machine.
      // A source ending in `/` copies the folder's contents, whatever they are named; --delete removes what is not there.
      const contents = o.operands.slice(0, -1).some((w) => w.computed || w.text.endsWith("/") || w.text.endsWith("/."));
      if (dest && (dest.computed || !/^[^/]*:/.test(dest.text)))
        out.push({
          word: dest,
          how: "rsync",
          ...(contents ? { unknownNames: true } : {}),
          ...(has(o, "--delete", "--delete-after", "--delete-before", "--delete-during", "--delete-excluded", "--del")
            ? { recursive: true }
            : {}),
        });
      if (has(o, "--remove-source-files")) out.push(...targets("rsync --remove-source-files", o.operands.slice(0, -1)));
      break;
    }
    case "sed":
    case "gsed": {
      const o = readOptions(args, set("-e", "--expression", "-f", "--file", "-l", "--line-length"));
      const inPlace =
        [...o.flags].some((f) => f === "-i" || f === "--in-place") ||
        [...o.values.keys()].some((k) => k === "--in-place") ||
        args.some((w) => /^-[nrEsuz]*i/.test(w.text) || w.text.startsWith("--in-place"));
      if (inPlace) out.push(...inPlaceTargets(name, o));
      break;
    }
    case "perl": {
      if (!args.some((w) => /^-[a-zA-Z]*i/.test(w.text))) break;
      out.push(...inPlaceTargets(name, readOptions(args, set("-e", "-E", "-M", "-m", "-I", "-x", "-0"))));
      break;
    }
    case "truncate":
      out.push(...targets("truncate", readOptions(args, set("-s", "--size", "-r", "--reference")).operands));
      break;
    case "touch":
      out.push(...targets("touch", readOptions(args, set("-d", "--date", "-r", "--reference", "-t")).operands));
      break;
    case "rm":
    case "unlink":
    case "rmdir":
    case "shred":
    case "mkdir":
    case "mkfifo":
    case "mknod": {
      const o = readOptions(args, set("-m", "--mode", "-n", "--iterations", "-s", "--size", "--interactive"));
      out.push(...targets(name, o.operands, name === "rm" && has(o, "-r", "-R", "--recursive")));
      break;
    }
    case "chmod":
    case "chown":
    case "chgrp": {
      const o = readOptions(args, set("--reference"));
      const files = has(o, "--reference") ? o.operands : o.operands.slice(1);
      out.push(...targets(name, files, has(o, "-R", "--recursive")));
      break;
    }
    case "time":
    case "openssl":
    case "gcc":
    case "cc":
    case "clang":
    case "g++":
    case "c++":
    case "pandoc":
    case "gpg":
    case "iconv":
    case "msgfmt": {
      // Their `-o FILE` (openssl `-out FILE`) is the output; time's comes before the command it times.
      const until =
        name === "time"
          ? args.findIndex(
              (w, i) => !w.text.startsWith("-") && args[i - 1]?.text !== "-o" && args[i - 1]?.text !== "-f",
            )
          : args.length;
      const own = args.slice(0, until < 0 ? args.length : until);
      for (let i = 0; i < own.length; i++) {
        const t = own[i]!.text;
        if ((t === "-o" || t === "-out") && own[i + 1]) out.push({ word: own[i + 1]!, how: `${name} ${t}` });
        else if (/^-o./.test(t) && name !== "time" && name !== "openssl")
          out.push({ word: part(own[i]!, t.slice(2)), how: `${name} -o` });
      }
      break;
    }
    case "tar": {
      // Extracting writes the names inside the archive, into -C DIR or here.
      const first = args[0]?.text ?? "";
      const extract =
        (/^-?[A-Za-z]*x/.test(first) && !first.startsWith("--")) ||
        args.some((w) => w.text === "--extract" || w.text === "--get" || /^-[A-Za-z]*x[A-Za-z]*$/.test(w.text));
      if (extract) {
        const o = readOptions(
          args,
          set(
            "-f",
            "--file",
            "-C",
            "--directory",
            "-T",
            "--files-from",
            "-X",
            "--exclude-from",
            "-b",
            "--blocking-factor",
            "-H",
            "--format",
            "-I",
            "--use-compress-program",
          ),
        );
        const dir = valuesOf(o, "-C", "--directory").at(-1);
        out.push(...into("tar -x (names inside the archive)", [dir ?? { text: ".", computed: false }]));
      }
      break;
    }
    case "unzip": {
      const o = readOptions(args, set("-d", "-x", "-P"));
      if (!has(o, "-l", "-t", "-v", "-p", "-Z"))
        out.push(
          ...into(
            "unzip (names inside the archive)",
            valuesOf(o, "-d").length ? valuesOf(o, "-d") : [{ text: ".", computed: false }],
          ),
        );
      break;
    }
    case "patch": {
      const o = readOptions(
        args,
        set(
          "-o",
          "--output",
          "-i",
          "--input",
          "-d",
          "--directory",
          "-p",
          "--strip",
          "-r",
          "--reject-file",
          "-B",
          "--prefix",
          "-z",
          "--suffix",
          "-D",
          "--ifdef",
          "-F",
          "--fuzz",
        ),
      );
      const outputs = valuesOf(o, "-o");
      if (outputs.length) out.push(...targets("patch -o", outputs));
      else
        out.push(
          ...into(
            "patch (files named in the patch)",
            valuesOf(o, "-d", "--directory").length
              ? valuesOf(o, "-d", "--directory")
              : [{ text: ".", computed: false }],
          ),
        );
      break;
    }
    case "prettier":
      if (has(readOptions(args, set()), "--write", "-w"))
        out.push(
          ...targets(
            "prettier --write",
            readOptions(args, set("--config", "--parser", "--plugin", "--ignore-path")).operands,
            true,
          ),
        );
      break;
  }
  return out;
}
