const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Every unit word a duration may use (matched case-insensitively), English and the Chinese the GOAL/THREAD parsers accept. */
const UNITS = new Map<string, number>(
  Object.entries({
    ms: 1,
    msec: 1,
    msecs: 1,
    millisecond: 1,
    milliseconds: 1,
    毫秒: 1,
    s: SECOND,
    sec: SECOND,
    secs: SECOND,
    second: SECOND,
    seconds: SECOND,
    秒: SECOND,
    秒钟: SECOND,
    m: MINUTE,
    min: MINUTE,
    mins: MINUTE,
    minute: MINUTE,
    minutes: MINUTE,
    分钟: MINUTE,
    分: MINUTE,
    h: HOUR,
    hr: HOUR,
    hrs: HOUR,
    hour: HOUR,
    hours: HOUR,
    小时: HOUR,
    个小时: HOUR,
    d: DAY,
    day: DAY,
    days: DAY,
    天: DAY,
  }),
);

const PATTERN = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(\p{L}+)\s*$/u;

/**
 * `90s`, `10m`, `1.5h`, `2d`, `500ms`, `2 hours`, `30 min`, `3 days`, `10分钟`
 * → milliseconds (rounded); undefined when the text is not one number and one
 * known unit. Zero is a duration: callers that need a positive one say so.
 */
export function parseDuration(text: string): number | undefined {
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  const scale = UNITS.get(m[2]!.toLowerCase());
  const n = Number(m[1]);
  return scale === undefined || !Number.isFinite(n) ? undefined : Math.round(n * scale);
}
