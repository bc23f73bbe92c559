#!/usr/bin/env node
import nodeModule from "node:module";
import { exitNow, installStopSignals, stopReceived } from "./stop-signals.js";

// Before the rest of the CLI loads, so a signal at any moment after this is a clean stop, never a stack trace.
installStopSignals();
// Node 22.1+ keeps compiled code between runs (a no-op where it is missing, as on Node 20): every start is faster.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// The bundled entry (scripts/bundle-fast.mjs): `status` and `permissions explain` start without loading
// hundreds of modules; every other command it hands to the plain modules (fast-commands.ts).
const fast = new URL("./fast/fast-entry.js", import.meta.url).href;
const { exitQuietlyWhenOutputCloses, main }: typeof import("./fast-entry.js") = await import(fast);
exitQuietlyWhenOutputCloses(process.stdout);
exitQuietlyWhenOutputCloses(process.stderr);
const code = await main(process.argv.slice(2));
// A stopped command has done its cleanup; a handle a plugin left open must not keep the process alive.
if (stopReceived()) await exitNow(code);
process.exitCode = code;
