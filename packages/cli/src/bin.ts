#!/usr/bin/env node
import { exitNow, installStopSignals, stopReceived } from "./stop-signals.js";

// Before the rest of the CLI loads, so a signal at any moment after this is a clean stop, never a stack trace.
installStopSignals();
const { exitQuietlyWhenOutputCloses } = await import("./io.js");
const { main } = await import("./main.js");
exitQuietlyWhenOutputCloses(process.stdout);
exitQuietlyWhenOutputCloses(process.stderr);
const code = await main(process.argv.slice(2));
// A stopped command has done its cleanup; a handle a plugin left open must not keep the process alive.
if (stopReceived()) await exitNow(code);
process.exitCode = code;
