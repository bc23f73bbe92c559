#!/usr/bin/env node
import { exitQuietlyWhenOutputCloses } from "./io.js";
import { main } from "./main.js";

exitQuietlyWhenOutputCloses(process.stdout);
exitQuietlyWhenOutputCloses(process.stderr);
process.exitCode = await main(process.argv.slice(2));
