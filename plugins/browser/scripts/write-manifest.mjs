// Writes manifest.json from the built plugin's real tools, so `permissions explain`, `check` and
// tool lists know them without importing puppeteer (issue 13 item 3). Run by `build`;
// src/manifest.test.ts fails when the committed file no longer agrees.
import { writeFile } from "node:fs/promises";
import { manifestText } from "@worksite/core";
import { createBrowserPlugin } from "../dist/index.js";

await writeFile(new URL("../manifest.json", import.meta.url), manifestText(createBrowserPlugin()));
