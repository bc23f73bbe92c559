/*
 * The gate benches' plugin. Its tools do nothing but return (calling `onRun` first, for a tracer), so
 * gate.call − tool.run is the gate's own cost (input parsing, target, call hash, the policy with its path
 * resolution, the audit entries), not a file's I/O noise. Their targets are paths, decided like file.read /
 * file.write targets.
 */
export function benchPlugin(onRun = () => {}) {
  const any = { safeParse: (data) => ({ success: true, data }) };
  const run = async () => {
    onRun();
    return { content: "ok" };
  };
  const tool = (effect, description) => ({
    description,
    effect,
    input: any,
    targetKind: "path",
    target: (i) => i.path,
    run,
  });
  return { name: "bench", tools: { look: tool("read", "read nothing"), touch: tool("write", "write nothing") } };
}
