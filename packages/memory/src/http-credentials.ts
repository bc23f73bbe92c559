import { UserError } from "@worksite/core";
import type { AuthCallback, AuthFailureCallback } from "isomorphic-git";

/**
 * Credentials for the memory remote, read from the environment at the moment the
 * server asks (isomorphic-git's onAuth) and never written anywhere: not to the git
 * config, not to the remote URL, not to a log.
 *
 *   WORKSITE_GIT_TOKEN                     a token (sent as the password; username
 *                                          WORKSITE_GIT_USERNAME or "x-access-token")
 *   WORKSITE_GIT_USERNAME + WORKSITE_GIT_PASSWORD
 */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): {
  onAuth: AuthCallback;
  onAuthFailure: AuthFailureCallback;
} {
  return {
    onAuth: () => {
      if (env.WORKSITE_GIT_TOKEN)
        return { username: env.WORKSITE_GIT_USERNAME || "x-access-token", password: env.WORKSITE_GIT_TOKEN };
      if (env.WORKSITE_GIT_USERNAME && env.WORKSITE_GIT_PASSWORD)
        return { username: env.WORKSITE_GIT_USERNAME, password: env.WORKSITE_GIT_PASSWORD };
      return { cancel: true };
    },
    // Sending the same wrong credentials again would only lock the account.
    onAuthFailure: () => ({ cancel: true }),
  };
}

/** A remote URL with a user:password inside would put the secret in .git/config: refused. */
export function assertNoCredentialsInUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`"${url}" is not a URL`, { hint: "memory syncs over HTTP(S): give an https:// URL" });
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw new UserError(`memory syncs over HTTP(S), not ${parsed.protocol}`, {
      hint: "give an https:// URL of the memory repository",
    });
  if (parsed.username || parsed.password)
    throw new UserError("the memory remote URL holds credentials, which would be written to disk", {
      hint: "drop them from the URL and set WORKSITE_GIT_TOKEN (or WORKSITE_GIT_USERNAME and WORKSITE_GIT_PASSWORD) in the environment",
    });
}
