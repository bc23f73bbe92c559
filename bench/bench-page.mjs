// What the browser benches share: one page with some substance, served on loopback, and the interleaved loop.
import { createServer } from "node:http";

// A form, a table, a list, a counter button that does not navigate.
const rows = Array.from({ length: 30 }, (_, i) => `<tr><td>Item ${i}</td><td>${i * 7}</td></tr>`).join("");
export const BENCH_PAGE = `<!doctype html><html><head><title>Bench</title></head><body>
<h1>Dashboard</h1><nav><a href="/">Home</a> <a href="/docs">Docs</a></nav>
<form onsubmit="return false"><label>Search <input id="q" name="q"></label><label>Plan <select><option>Free</option><option>Pro</option></select></label></form>
<button id="btn" onclick="this.dataset.n = (+this.dataset.n || 0) + 1; document.getElementById('count').textContent = this.dataset.n">Increment</button>
<p id="count">0</p><table><tr><th>Name</th><th>Value</th></tr>${rows}</table>
<ul>${Array.from({ length: 20 }, (_, i) => `<li>Entry ${i} with some text</li>`).join("")}</ul></body></html>`;

/** The bench page on 127.0.0.1 at a free port. */
export async function serveBenchPage() {
  const server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(BENCH_PAGE));
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { server, origin, url: `${origin}/` };
}

/**
 * Runs each path's round `n` times after `warmup` rounds, interleaved and rotating which path goes first,
 * so drift on a shared machine hits every path alike; each action's and each round's time go to `timings`.
 */
export async function interleaved(paths, { n, warmup, timings, now }) {
  for (let i = 0; i < warmup; i++) for (const run of Object.values(paths)) await run(() => {});
  const order = Object.keys(paths);
  for (let i = 0; i < n; i++) {
    for (const k of [...order.slice(i % order.length), ...order.slice(0, i % order.length)]) {
      const start = now();
      await paths[k]((action, d) => timings[k][action].push(d));
      timings[k].round.push(now() - start);
    }
  }
}
