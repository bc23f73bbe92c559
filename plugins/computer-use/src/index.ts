import { createComputerUsePlugin } from "./plugin.js";

export { createComputerUsePlugin, type ComputerUsePlugin } from "./plugin.js";
export { computerOptionsSchema, parseComputerOptions, LIMITS, type ComputerOptions } from "./options.js";
export { type Driver, DriverUnavailable, type WindowInfo, type Button, type ScrollDirection } from "./driver.js";
export { createX11Driver, type X11Options } from "./x11/driver.js";
export { createMacDriver, permissionMessage, type MacOptions } from "./macos/driver.js";
export { runCommand, type CommandRunner, type CommandOutput } from "./exec.js";
export { scaledSize, toScreen, toScaled, SCALED_SIZES, type Size, type Point } from "./scale.js";
export { deniedBecause, appTarget } from "./deny-list.js";
export { stopFilePath, stopInput, resumeInput, isStopped } from "./stop-switch.js";
export { runComputerCall, toGateCall, computerCallSchema, type ComputerCallResult } from "./openai.js";

/** The plugin with default options: the driver for this platform, the display in $DISPLAY. */
export default createComputerUsePlugin();
