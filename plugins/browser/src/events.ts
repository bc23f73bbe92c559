/** Things that happen in the browser on its own, reported back in the next tool result. */
export type SessionEvent =
  | { kind: "blocked"; tab?: number; url: string; via: "redirect" | "page" | "frame" | "popup"; reason: string }
  | { kind: "tab-opened"; tab: number; url: string }
  | { kind: "dialog"; tab: number; type: string; message: string }
  | { kind: "download"; tab?: number; url: string; path?: string; state: "completed" | "canceled" | "failed" };

export interface EventLog {
  push(event: SessionEvent): void;
  /** A position to ask "what happened since?" from. */
  mark(): number;
  since(mark: number): SessionEvent[];
  all(): SessionEvent[];
}

export function createEventLog(limit = 500): EventLog {
  const events: SessionEvent[] = [];
  let dropped = 0;
  return {
    push(event) {
      events.push(event);
      if (events.length > limit) {
        events.shift();
        dropped++;
      }
    },
    mark: () => dropped + events.length,
    since: (mark) => events.slice(Math.max(0, mark - dropped)),
    all: () => [...events],
  };
}
