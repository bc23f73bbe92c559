import { UserError } from "../errors.js";

/**
 * npm's own rule for new package names (validate-npm-package-name): lower case,
 * URL-safe, no leading dot or underscore, at most 214 characters, optionally
 * `@scope/`. A name that passes can never be a path: no `..` segment, no
 * second `/`, no backslash. Issue 20: a tarball named `../../.config/worksite`
 * planted files in the person's config folder, and THREAD.md `plugins:` took
 * `./evil.mjs` for a plugin and imported it.
 */
const NPM_NAME = /^(?:@[a-z0-9-*~][a-z0-9-*._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

export function isValidPackageName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 214 &&
    NPM_NAME.test(name) &&
    !name.split("/").some((part) => part === "." || part === "..")
  );
}

/** Throws a UserError naming where the bad name came from. */
export function assertPackageName(name: string, from: string): void {
  if (isValidPackageName(name)) return;
  throw new UserError(`${from} names the package ${JSON.stringify(name)}, which is not a valid npm package name`, {
    hint: "a package name is lower case letters, digits, - . _ ~, optionally @scope/name; never a path",
  });
}
