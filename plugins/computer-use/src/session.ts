import { type ToolContext, WorksiteError } from "@worksite/core";
import type { Driver, WindowInfo } from "./driver.js";
import type { ResolvedOptions } from "./options.js";
import { type Point, type Size, scaledSize, toScreen } from "./scale.js";
import { isStopped, stopFilePath, stoppedMessage } from "./stop-switch.js";

export interface Geometry {
  screen: Size;
  /** What the model sees and clicks in. */
  scaled: Size;
}

/** What the gate decided on: the window read right before the decision, kept for the check right before the action. */
export interface Decided {
  windows: (WindowInfo | undefined)[];
}

export interface ComputerSession {
  options: ResolvedOptions;
  stopFile: string;
  /** The driver, checked once (tools and permissions) before its first use. */
  driver(): Promise<Driver>;
  geometry(): Promise<Geometry>;
  toScreen(p: Point): Promise<Point>;
  /** Keyed by the parsed input object the gate passes to `target`, `minimumTier` and `run` alike. */
  decided: WeakMap<object, Decided>;
  /** Whether the person pulled the kill switch; if so, lets go of anything held down. */
  stopped(): boolean;
  /** Throws a refusal when the person pulled the kill switch, or the call was stopped. */
  assertLive(ctx: Pick<ToolContext, "signal">): void;
}

export function createSession(driver: Driver, options: ResolvedOptions, env: NodeJS.ProcessEnv): ComputerSession {
  let ready: Promise<Driver> | undefined;
  let geometry: Promise<Geometry> | undefined;
  const stopFile = options.stopFile ?? stopFilePath(env);
  const session: ComputerSession = {
    options,
    stopFile,
    driver() {
      ready ??= driver.preflight().then(() => driver);
      // A missing tool or permission the person then fixes must not need a new run.
      ready.catch(() => {
        ready = undefined;
      });
      return ready;
    },
    geometry() {
      geometry ??= session
        .driver()
        .then((d) => d.screenSize())
        .then((screen) => ({ screen, scaled: scaledSize(screen) }));
      geometry.catch(() => {
        geometry = undefined;
      });
      return geometry;
    },
    async toScreen(p) {
      const g = await session.geometry();
      if (p.x >= g.scaled.width || p.y >= g.scaled.height)
        throw new WorksiteError(
          "tool-failed",
          `(${p.x}, ${p.y}) is outside the screen the model sees (${g.scaled.width}x${g.scaled.height}); nothing was sent`,
        );
      return toScreen(p, g.scaled, g.screen);
    },
    decided: new WeakMap(),
    stopped() {
      if (!isStopped(stopFile)) return false;
      // Nothing stays held down (a left_mouse_down, a hold_key) once the person pulled the switch.
      void driver.releaseAll().catch(() => {});
      return true;
    },
    assertLive(ctx) {
      if (session.stopped()) throw new WorksiteError("refused", stoppedMessage(stopFile));
      if (ctx.signal.aborted) throw new WorksiteError("tool-failed", "The call was aborted.");
    },
  };
  return session;
}
