/**
 * The demo worksite: a small shop whose cart total ignores quantities, a
 * failing test, a page that shows the cart, and a thread whose goal is to fix
 * it under permissions in worksite's spirit — tests and source edits allowed,
 * messages to the team drafted, tagging a release needs a person, publishing forbidden.
 */
export interface DemoOptions {
  /** Absolute path of public/index.html, opened as a file:// page. */
  pageUrl: string;
  browser: boolean;
}

const BUGGY_CART = `// Cart arithmetic, shared by the page (a classic script) and the tests (CommonJS).
function total(items) {
  return items.reduce((sum, item) => sum + item.price, 0);
}

if (typeof module !== "undefined") module.exports = { total };
`;

export const FIXED_CART = `// Cart arithmetic, shared by the page (a classic script) and the tests (CommonJS).
function total(items) {
  return items.reduce((sum, item) => sum + item.price * (item.quantity ?? 1), 0);
}

if (typeof module !== "undefined") module.exports = { total };
`;

const TEST = `const test = require("node:test");
const assert = require("node:assert");
const { total } = require("../src/cart.js");

test("the total counts each item's quantity", () => {
  assert.strictEqual(total([{ price: 3, quantity: 2 }, { price: 5, quantity: 1 }]), 11);
});

test("an empty cart costs nothing", () => {
  assert.strictEqual(total([]), 0);
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Demo shop — cart</title>
<style>
  body { font: 16px system-ui, sans-serif; margin: 2rem; color: #222; }
  table { border-collapse: collapse; } td, th { padding: .4rem 1rem; border-bottom: 1px solid #ddd; text-align: left; }
  .total { font-size: 1.4rem; margin-top: 1rem; }
</style></head>
<body>
  <h1>Your cart</h1>
  <table>
    <thead><tr><th>Item</th><th>Price</th><th>Quantity</th></tr></thead>
    <tbody id="items"></tbody>
  </table>
  <p class="total">Total: <strong id="total"></strong></p>
  <script src="../src/cart.js"></script>
  <script>
    const items = [{ name: "Notebook", price: 3, quantity: 2 }, { name: "Pen set", price: 5, quantity: 1 }];
    document.getElementById("items").innerHTML = items.map((i) => "<tr><td>" + i.name + "</td><td>$" + i.price + "</td><td>" + i.quantity + "</td></tr>").join("");
    document.getElementById("total").textContent = "$" + total(items);
  </script>
</body>
</html>
`;

const SKILL = `---
name: check-cart-page
description: Open the demo shop's cart page and keep a screenshot as evidence. Use whenever the cart page or the cart arithmetic changes.
license: MIT
---

# Check the cart page

The page shows the cart and its total, computed by src/cart.js. A screenshot
after every change is the evidence a reviewer looks at.

## When to use

- keywords: cart page
- files: src/**, public/**

## Steps

\`\`\`yaml
- id: open
  tool: browser.open
  input:
    url: "{{pageUrl}}"
- tool: browser.wait-for
  input:
    text: "Total"
- tool: browser.screenshot
  input:
    fullPage: true
\`\`\`

## Failure modes

- The page is blank → src/cart.js threw; read it with file.read and run the tests.

## Done when

- A screenshot of the cart page exists for the round and shows the right total.
`;

function thread(o: DemoOptions): string {
  return `---
# Machine settings. The rest of the file is for people (and the agent).
plugins: [${o.browser ? "browser" : ""}]
stage: write
agent: script
---

# Keep the demo shop's cart total right

## Owns
- src/ and test/ of the demo shop
- the cart page, public/index.html

## Does not own
- package.json and its dependencies
- releases: tagging one needs a person

## Read first
- GOAL.md
- test/cart.test.js

## Deliver each round
- test output
- a screenshot of the cart page
- the changed files

## Pause when
- the same failure repeats three rounds in a row
- a forbidden action is needed
`;
}

function goal(o: DemoOptions): string {
  return `---
vars:
  pageUrl: "${o.pageUrl}"
steps:
  - tool: shell.run
    input: { command: "npm test" }
    on: first-round
    note: see the failure first
  - tool: file.write
    input:
      path: src/cart.js
      content: ${JSON.stringify(FIXED_CART)}
    on: verify-failed
    note: count quantities
  - tool: file.write
    input:
      path: outbox/team-update.md
      content: "Cart totals now count quantities (a 2 x $3 notebook is $6, not $3). Tests pass; screenshot in this round's artifacts."
    on: verify-failed
    note: tell the team (a draft, never sent)
  - tool: shell.run
    input: { command: "git tag -a v1.0.1 -m 'Fix cart total'" }
    on: verify-failed
    note: tag the fixed release (a person approves)
---

# Goal
The cart total counts each item's quantity, the tests pass, and the cart page shows the right total.

## Scope
- do not change package.json
- keep the page's look; only the arithmetic changes

## Verify
- \`npm test\`
${o.browser ? "- a screenshot of the cart page saved into artifacts/\n" : ""}- a person glances at the cart page

## Each round
- a report with the test output${o.browser ? " and the screenshot" : ""}

## Pause
- three consecutive failures
- at most 5 rounds
`;
}

const PERMISSIONS = `---
# What happens to a call no rule below matches, by the tool's effect.
default:
  read: allow
  write: confirm
  external: confirm
---

# Permissions

## Allow
- \`file.read\`
- \`file.list\`
- \`file.write(src/**)\`
- \`file.write(test/**)\`
- \`shell.run(npm test)\`
- \`skill.*\`
- \`memory.search\`
- \`memory.read\`

## Read-only
- \`browser.*(file:///**)\` the browser may look at local pages
- \`browser.*\` everything else in the browser only looks

## Draft
- \`file.write(outbox/**)\` messages to the team are drafted, never sent
- \`memory.write\`

## Requires confirmation
- \`shell.run(git tag)\`
- \`shell.run(git push)\`

## Forbidden
- \`shell.run(npm publish)\`
- \`shell.run(rm -rf)\`
- \`file.write(package.json)\`
- Never spend money or contact customers (a note for people; not enforced)
`;

export function demoFiles(o: DemoOptions): Record<string, string> {
  return {
    "THREAD.md": thread(o),
    "GOAL.md": goal(o),
    "PERMISSIONS.md": PERMISSIONS,
    "package.json": `${JSON.stringify({ name: "demo-shop", version: "1.0.0", private: true, scripts: { test: "node --test" } }, null, 2)}\n`,
    "src/cart.js": BUGGY_CART,
    "test/cart.test.js": TEST,
    "public/index.html": PAGE,
    ...(o.browser ? { "skills/check-cart-page/SKILL.md": SKILL } : {}),
    ".gitignore": "node_modules/\n.worksite/\n",
  };
}
