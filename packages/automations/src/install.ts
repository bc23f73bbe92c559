/** What `worksite wake --install` prints: a per-user service that keeps the daemon running across logins and reboots. */
export interface InstallOptions {
  /** The command line to run: node, the worksite binary, `wake` and its flags. */
  argv: string[];
  /** Environment the daemon needs (PATH at least: rounds run the person's tools). */
  env?: Record<string, string>;
  workingDirectory: string;
}

const LABEL = "dev.worksite.wake";

/** A systemd user unit (`~/.config/systemd/user/worksite-wake.service`). */
export function systemdUnit(options: InstallOptions): string {
  const exec = options.argv.map(systemdQuote).join(" ");
  const env = Object.entries(options.env ?? {}).map(([k, v]) => `Environment=${systemdQuote(`${k}=${v}`)}`);
  return [
    "[Unit]",
    "Description=worksite wake: wakes worksite threads on their THREAD.md schedules",
    "After=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    `WorkingDirectory=${systemdQuote(options.workingDirectory)}`,
    `ExecStart=${exec}`,
    ...env,
    // SIGTERM is what `worksite wake` stops cleanly on (the running round finishes or is interrupted and redone).
    "KillSignal=SIGTERM",
    "TimeoutStopSec=30",
    "Restart=on-failure",
    "RestartSec=10",
    "",
    "[Install]",
    "WantedBy=default.target",
    "",
  ].join("\n");
}

/** A launchd agent (`~/Library/LaunchAgents/dev.worksite.wake.plist`). */
export function launchdPlist(options: InstallOptions): string {
  const args = options.argv.map((a) => `    <string>${xml(a)}</string>`).join("\n");
  const env = Object.entries(options.env ?? {})
    .map(([k, v]) => `    <key>${xml(k)}</key>\n    <string>${xml(v)}</string>`)
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${LABEL}</string>
  <key>ProgramArguments</key>
  <array>
${args}
  </array>
  <key>WorkingDirectory</key>
  <string>${xml(options.workingDirectory)}</string>
  <key>EnvironmentVariables</key>
  <dict>
${env}
  </dict>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>StandardOutPath</key>
  <string>${xml(options.workingDirectory)}/.worksite-wake.log</string>
  <key>StandardErrorPath</key>
  <string>${xml(options.workingDirectory)}/.worksite-wake.log</string>
</dict>
</plist>
`;
}

export const LAUNCHD_LABEL = LABEL;

function systemdQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/%/g, "%%")}"`;
}

function xml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
