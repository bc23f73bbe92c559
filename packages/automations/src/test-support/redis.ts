import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";
import { until } from "./thread.js";

/** A real redis-server on a free loopback port, nothing saved; `stop()` ends it. */
export async function startRedis(): Promise<{ url: string; port: number; stop: () => void }> {
  const port = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  await until(async () => {
    const client = new Redis({
      host: "127.0.0.1",
      port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on("error", () => undefined);
    const pong = await client
      .connect()
      .then(() => client.ping())
      .catch(() => "");
    client.disconnect();
    return pong === "PONG";
  }, 20_000);
  return { url: `redis://127.0.0.1:${port}`, port, stop: () => child.kill("SIGTERM") };
}
