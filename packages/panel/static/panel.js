// The panel's only script, served as a file under a nonce (no inline script runs on these pages).
// It keeps the page live: on each change the server announces over SSE, the page is fetched again and
// every [data-live] region is replaced by its new version; forms and what a person is typing stay put.
(() => {
  const url = document.body.dataset.events;
  const state = document.getElementById("live-state");
  const say = (text) => {
    if (state) state.textContent = text;
  };
  let inFlight = false;
  let again = false;

  async function refresh() {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    try {
      const res = await fetch(location.href, { credentials: "same-origin", headers: { "x-panel-live": "1" } });
      if (!res.ok) return;
      const doc = new DOMParser().parseFromString(await res.text(), "text/html");
      for (const fresh of doc.querySelectorAll("[data-live]")) {
        const key = fresh.getAttribute("data-live");
        const here = document.querySelector(`[data-live="${CSS.escape(key)}"]`);
        if (here && here.innerHTML !== fresh.innerHTML) here.replaceChildren(...fresh.childNodes);
      }
      say(`updated ${new Date().toLocaleTimeString()}`);
      document.body.dataset.updated = String(Date.now());
    } finally {
      inFlight = false;
      if (again) {
        again = false;
        void refresh();
      }
    }
  }

  // A click on a diff's line number fills that file's comment form with the line (the form is usable without it).
  document.addEventListener("click", (event) => {
    const cell =
      event.target instanceof Element && event.target.closest(".d2h-code-linenumber, .d2h-code-side-linenumber");
    if (!cell) return;
    const n = (cell.querySelector(".line-num2")?.textContent || cell.textContent || "").trim();
    const form = cell.closest("section.file-change")?.querySelector("form.comment");
    if (!form || !/^\d+$/.test(n)) return;
    form.querySelector("input.line").value = n;
    form.querySelector("input[name=text]").focus();
  });

  if (url && "EventSource" in window) {
    const events = new EventSource(url);
    events.addEventListener("hello", () => say("live"));
    events.addEventListener("change", () => void refresh());
    events.addEventListener("open", () => say("live"));
    events.addEventListener("error", () => say("reconnecting…"));
  }
})();
