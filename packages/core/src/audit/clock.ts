let isoMs = -1;
let iso = "";
/** An entry's `time`: the system clock as ISO text, made once per millisecond, which a stream of calls shares (issue 13 item 1). */
export function isoNow(): string {
  const ms = Date.now();
  if (ms !== isoMs) {
    isoMs = ms;
    iso = new Date(ms).toISOString();
  }
  return iso;
}
