import { userInfo } from "node:os";

/** Who a person is on this machine, for the audit log: WORKSITE_USER, else the login name. */
export function personActor(env: NodeJS.ProcessEnv): string {
  let name = env.WORKSITE_USER;
  if (!name) {
    try {
      name = userInfo().username;
    } catch {
      name = "unknown";
    }
  }
  return `person:${name}`;
}
