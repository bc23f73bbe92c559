import { WorksiteError } from "@worksite/core";
import type { Modifier } from "./keys.js";
import type { Point, Size } from "./scale.js";

/** A top-level window, as the target of an action: rules match its app name. */
export interface WindowInfo {
  /** The window's id on this platform (X11 window id, macOS window number). */
  id: string;
  /** X11: WM_CLASS's class part; macOS: the owning application's name. */
  app: string;
  /** Untrusted: any program (a web page) sets its own title. */
  title: string;
  pid?: number;
  bounds?: Point & Size;
}

export type Button = "left" | "right" | "middle";
export type ScrollDirection = "up" | "down" | "left" | "right";

/** Everything a platform must do; coordinates here are real screen pixels. */
export interface Driver {
  readonly platform: "x11" | "macos";
  /** Checks tools and permissions before the first action; throws DriverUnavailable with the fix. */
  preflight(signal?: AbortSignal): Promise<void>;
  screenSize(): Promise<Size>;
  /** A PNG of the screen (or `region` of it) scaled to `size`. */
  screenshot(size: Size, region?: Point & Size): Promise<Uint8Array>;
  windows(): Promise<WindowInfo[]>;
  windowAt(point: Point): Promise<WindowInfo | undefined>;
  focusedWindow(): Promise<WindowInfo | undefined>;
  cursor(): Promise<Point>;
  move(to: Point): Promise<void>;
  click(at: Point, button: Button, count: number, modifiers: Modifier[]): Promise<void>;
  press(at: Point, button: Button, state: "down" | "up"): Promise<void>;
  drag(path: Point[], button: Button): Promise<void>;
  scroll(at: Point, direction: ScrollDirection, amount: number, modifiers: Modifier[]): Promise<void>;
  /** Types one chunk of text as it is (the caller chunks it and checks the stop switch between chunks). */
  type(text: string): Promise<void>;
  /** xdotool-syntax chords, each pressed and released; `repeat` times. */
  key(chords: string[], repeat: number): Promise<void>;
  keyDown(chords: string[]): Promise<void>;
  keyUp(chords: string[]): Promise<void>;
  /** Lets go of every modifier and mouse button this driver may hold (the kill switch, a failed hold). */
  releaseAll(): Promise<void>;
}

export type MissingKind = "tool" | "permission" | "display" | "platform";

/** A driver cannot act here: which tool or permission is missing and how to fix it. */
export class DriverUnavailable extends WorksiteError {
  constructor(
    readonly missing: MissingKind,
    readonly what: string,
    readonly fix: string,
  ) {
    super("tool-failed", `computer use is not available: missing ${missing} ${what}. Fix: ${fix}`);
    this.name = "DriverUnavailable";
  }
}
