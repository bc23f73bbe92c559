import { afterAll } from "vitest";
import { stopSandboxRuntime } from "./packages/core/src/sandbox/runtime.js";

// A test file that ran sandboxed commands leaves the sandbox's socat bridge running when its worker is ended
// without an exit event; stop it after each file.
afterAll(stopSandboxRuntime);
