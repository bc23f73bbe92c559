export { startPanel, runningPanels, type Panel, type PanelOptions, type RunningPanel } from "./start.js";
export { PANEL_ACTOR } from "./actions.js";
export { nextWakeFromThread, type NextWake } from "./thread-data.js";
export { renderMarkdown, sanitize } from "./markdown.js";
