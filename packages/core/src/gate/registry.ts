import type { Dispose, Logger, Plugin, RegisteredTool } from "../plugin/types.js";
import { WorksiteError } from "../errors.js";

const NAME = /^[a-z][a-z0-9-]*$/;
const TOOL = /^[a-z][A-Za-z0-9_-]*$/;

export interface ToolRegistry {
  get(id: string): RegisteredTool | undefined;
  all(): RegisteredTool[];
  /** Runs the plugin's setup once, on first use of one of its tools. */
  ready(plugin: string): Promise<void>;
  /** Sets up every plugin that can warm up, and warms it up; failures are the first call's to report. */
  warmUp(): Promise<void>;
  dispose(): Promise<void>;
}

export function createRegistry(plugins: Plugin[], setupContext: { worksite: string; log: Logger }): ToolRegistry {
  const tools = new Map<string, RegisteredTool>();
  const byName = new Map<string, Plugin>();
  for (const plugin of plugins) {
    if (!NAME.test(plugin.name))
      throw new WorksiteError("internal", `plugin name "${plugin.name}" must be lower-case letters, digits and dashes`);
    if (byName.has(plugin.name)) throw new WorksiteError("internal", `two plugins are named "${plugin.name}"`);
    byName.set(plugin.name, plugin);
    for (const [name, tool] of Object.entries(plugin.tools)) {
      if (!TOOL.test(name))
        throw new WorksiteError(
          "internal",
          `tool name "${plugin.name}.${name}" must start with a letter and hold letters, digits, _ or -`,
        );
      const id = `${plugin.name}.${name}`;
      tools.set(id, { ...tool, id, plugin: plugin.name });
    }
  }

  const setups = new Map<string, Promise<Dispose | void>>();
  return {
    get: (id) => tools.get(id),
    all: () => [...tools.values()],
    async ready(name) {
      const plugin = byName.get(name);
      if (!plugin?.setup) return;
      let pending = setups.get(name);
      if (!pending) {
        pending = Promise.resolve(plugin.setup({ worksite: setupContext.worksite, log: setupContext.log.child(name) }));
        setups.set(name, pending);
        // A failed setup may be retried by the next call rather than poisoning the plugin for the run.
        pending.catch(() => setups.delete(name));
      }
      await pending;
    },
    async warmUp() {
      await Promise.allSettled(
        [...byName.values()]
          .filter((p) => p.warmUp)
          .map(async (p) => {
            await this.ready(p.name);
            await p.warmUp!();
          }),
      );
    },
    async dispose() {
      const disposers = await Promise.allSettled([...setups.values()]);
      setups.clear();
      await Promise.allSettled(
        disposers.map((d) => (d.status === "fulfilled" && typeof d.value === "function" ? d.value() : undefined)),
      );
    },
  };
}
