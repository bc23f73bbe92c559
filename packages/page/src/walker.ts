/// <reference lib="dom" />
/**
 * Runs INSIDE the page (serialised by puppeteer), so it must stay
 * self-contained: no imports, no helpers from outside the function body.
 *
 * Like Playwright's aria snapshot, this is a DOM walk in the page rather than
 * CDP's full AX tree: one round trip per frame, and the refs live on the
 * elements themselves, so a ref keeps pointing at the same element across
 * snapshots and dies with it. The ref store hides under a random,
 * non-enumerable global name the page cannot guess.
 */

export interface WalkResult {
  lines: string[];
  /** Next free ref number after this frame. */
  next: number;
  refs: string[];
}

export interface WalkOptions {
  store: string;
  next: number;
  /** Indentation prefix of every line (frames nest under their iframe line). */
  indent: string;
  /** Most options of a select listed. */
  maxOptions: number;
}

export function walkPage(options: WalkOptions): WalkResult {
  type Store = { byRef: Map<string, WeakRef<Element>>; refOf: WeakMap<Element, string> };
  const w = window as unknown as Record<string, Store | undefined>;
  let store = w[options.store];
  if (!store) {
    store = { byRef: new Map(), refOf: new WeakMap() };
    Object.defineProperty(window, options.store, {
      value: store,
      enumerable: false,
      configurable: false,
      writable: false,
    });
  }
  const st = store;
  let next = options.next;
  const lines: string[] = [];
  const refs: string[] = [];

  const LEAF = new Set([
    "button",
    "link",
    "textbox",
    "searchbox",
    "checkbox",
    "radio",
    "combobox",
    "listbox",
    "img",
    "slider",
    "spinbutton",
    "switch",
    "separator",
    "menuitem",
    "tab",
    "option",
    "progressbar",
    "iframe",
  ]);
  const NAME_FROM_CONTENT = new Set([
    "heading",
    "cell",
    "columnheader",
    "rowheader",
    "tab",
    "menuitem",
    "option",
    "treeitem",
    "legend",
  ]);
  const ROLE_SELECTOR =
    "a[href],button,input,select,textarea,img,h1,h2,h3,h4,h5,h6,ul,ol,li,nav,main,header,footer,form,table,tr,td,th,dialog,iframe,label,fieldset,legend,details,summary,[role],[contenteditable=''],[contenteditable=true],[tabindex]";
  const SENSITIVE_AUTOCOMPLETE =
    /\b(cc-number|cc-csc|cc-exp|cc-exp-month|cc-exp-year|one-time-code|current-password|new-password)\b/i;
  const SENSITIVE_NAME = /(card|cvv|cvc|csc|otp|one.?time|passcode|password|passwd|\bpin\b|security.?code)/i;

  const docWidth = Math.max(document.documentElement.scrollWidth, window.innerWidth);
  const collapse = (s: string) => s.replace(/\s+/g, " ").trim();
  const quote = (s: string) => JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);

  function visible(el: Element): boolean {
    if (el.hasAttribute("hidden") || el.getAttribute("aria-hidden") === "true") return false;
    const style = getComputedStyle(el);
    if (style.display === "contents") return true;
    if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return false;
    if (el.tagName === "OPTION") return true;
    const r = el.getBoundingClientRect();
    // Zero-size boxes hide their text unless they let children overflow (clearfix parents, inline wrappers).
    if ((r.width <= 1 || r.height <= 1) && (style.overflow !== "visible" || el.children.length === 0)) return false;
    if (style.clip === "rect(0px, 0px, 0px, 0px)" || style.clipPath === "inset(100%)") return false;
    // Off-screen: entirely left of or above the document, or right of its scrollable width.
    if (r.right + window.scrollX <= 0 || r.bottom + window.scrollY <= 0 || r.left + window.scrollX >= docWidth)
      return false;
    if (parseFloat(style.fontSize) < 2 && el.children.length === 0) return false;
    return true;
  }

  function sensitive(el: Element): boolean {
    if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)) return false;
    if (el instanceof HTMLInputElement && el.type === "password") return true;
    if (SENSITIVE_AUTOCOMPLETE.test(el.getAttribute("autocomplete") ?? "")) return true;
    const names = [el.getAttribute("name"), el.id, el.getAttribute("aria-label"), el.getAttribute("placeholder")].join(
      " ",
    );
    return SENSITIVE_NAME.test(names);
  }

  function roleOf(el: Element): string | undefined {
    const explicit = el.getAttribute("role");
    if (explicit && explicit !== "presentation" && explicit !== "none" && explicit !== "generic")
      return explicit.split(/\s+/)[0];
    const tag = el.tagName.toLowerCase();
    switch (tag) {
      case "a":
        return el.hasAttribute("href") ? "link" : undefined;
      case "button":
      case "summary":
        return "button";
      case "select":
        return (el as HTMLSelectElement).multiple ? "listbox" : "combobox";
      case "textarea":
        return "textbox";
      case "img":
        return el.getAttribute("alt") === "" ? undefined : "img";
      case "h1":
      case "h2":
      case "h3":
      case "h4":
      case "h5":
      case "h6":
        return "heading";
      case "ul":
      case "ol":
        return "list";
      case "li":
        return "listitem";
      case "nav":
        return "navigation";
      case "main":
        return "main";
      case "form":
        return "form";
      case "table":
        return "table";
      case "tr":
        return "row";
      case "td":
        return "cell";
      case "th":
        return "columnheader";
      case "dialog":
        return "dialog";
      case "iframe":
        return "iframe";
      case "fieldset":
        return "group";
      case "legend":
        return "legend";
      case "option":
        return "option";
      case "input": {
        const type = (el as HTMLInputElement).type;
        if (type === "hidden") return undefined;
        if (type === "checkbox") return "checkbox";
        if (type === "radio") return "radio";
        if (type === "range") return "slider";
        if (type === "number") return "spinbutton";
        if (type === "search") return "searchbox";
        if (["button", "submit", "reset", "image"].includes(type)) return "button";
        if (type === "file") return "button";
        return "textbox";
      }
    }
    if ((el as HTMLElement).isContentEditable && el.getAttribute("contenteditable") !== null) return "textbox";
    return undefined;
  }

  function visibleText(node: Node): string {
    let out = "";
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === Node.TEXT_NODE) out += child.textContent ?? "";
      else if (child instanceof Element && visible(child)) {
        if (child.tagName === "IMG") out += ` ${child.getAttribute("alt") ?? ""} `;
        else if (child.tagName !== "SCRIPT" && child.tagName !== "STYLE") out += ` ${visibleText(child)} `;
      }
    }
    return collapse(out);
  }

  function textOfIds(ids: string): string {
    return collapse(
      ids
        .split(/\s+/)
        .map((id) => document.getElementById(id))
        .filter((e): e is HTMLElement => !!e)
        .map((e) => e.innerText)
        .join(" "),
    );
  }

  function nameOf(el: Element, role: string): string {
    const labelledBy = el.getAttribute("aria-labelledby");
    if (labelledBy) {
      const t = textOfIds(labelledBy);
      if (t) return t;
    }
    const aria = el.getAttribute("aria-label");
    if (aria) return collapse(aria);
    if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) {
      const labels = el.labels
        ? Array.from(el.labels)
            .map((l) => visibleText(l))
            .filter(Boolean)
        : [];
      if (labels.length) return labels.join(" ");
      if (el instanceof HTMLInputElement && ["button", "submit", "reset"].includes(el.type))
        return el.value || (el.type === "submit" ? "Submit" : el.type === "reset" ? "Reset" : "");
      if (el instanceof HTMLInputElement && el.type === "image") return el.alt;
      const ph = el.getAttribute("placeholder");
      if (ph) return collapse(ph);
    }
    if (el.tagName === "IMG") return collapse(el.getAttribute("alt") ?? "");
    if (el.tagName === "IFRAME") return collapse(el.getAttribute("title") ?? "");
    if (LEAF.has(role) || NAME_FROM_CONTENT.has(role)) {
      const t = visibleText(el);
      if (t) return t;
    }
    return collapse(el.getAttribute("title") ?? "");
  }

  function refFor(el: Element): string {
    let ref = st.refOf.get(el);
    if (!ref) {
      ref = `e${next++}`;
      st.refOf.set(el, ref);
      st.byRef.set(ref, new WeakRef(el));
    }
    refs.push(ref);
    return ref;
  }

  function describe(el: Element, role: string): string {
    const name = nameOf(el, role);
    let line = `- ${role}${name ? ` ${quote(name)}` : ""}`;
    const tag = el.tagName;
    if (role === "heading") line += ` [level=${tag.length === 2 ? tag[1] : (el.getAttribute("aria-level") ?? "2")}]`;
    if (el instanceof HTMLInputElement && (el.type === "checkbox" || el.type === "radio"))
      line += el.checked ? " [checked]" : "";
    else if (el.getAttribute("aria-checked") === "true") line += " [checked]";
    if (el.getAttribute("aria-expanded")) line += ` [expanded=${el.getAttribute("aria-expanded")}]`;
    if ((el as HTMLButtonElement).disabled || el.getAttribute("aria-disabled") === "true") line += " [disabled]";
    if (el instanceof HTMLInputElement && el.type === "file") line += " [file]";
    line += ` [ref=${refFor(el)}]`;
    if (sensitive(el)) {
      const v = (el as HTMLInputElement).value;
      line += ` [sensitive]${v ? " value=[masked]" : ""}`;
    } else if (
      (el instanceof HTMLInputElement && role !== "button" && role !== "checkbox" && role !== "radio") ||
      el instanceof HTMLTextAreaElement
    ) {
      if (el.value) line += `: ${quote(el.value)}`;
    } else if (el instanceof HTMLSelectElement) {
      const chosen = Array.from(el.selectedOptions).map((o) => o.label);
      if (chosen.length) line += `: ${quote(chosen.join(", "))}`;
    } else if ((el as HTMLElement).isContentEditable && role === "textbox") {
      const t = visibleText(el);
      if (t) line += `: ${quote(t)}`;
    }
    if (role === "link") {
      const href = el.getAttribute("href") ?? "";
      if (href && !href.startsWith("javascript:")) line += ` -> ${href.length > 120 ? `${href.slice(0, 120)}…` : href}`;
    }
    return line;
  }

  function emit(depth: number, text: string) {
    lines.push(`${options.indent}${"  ".repeat(depth)}${text}`);
  }

  function walkChildren(node: Node, depth: number) {
    const kids = Array.from(node.childNodes);
    if (node instanceof Element && node.shadowRoot)
      for (const k of Array.from(node.shadowRoot.childNodes)) kids.push(k);
    for (const child of kids) {
      if (child.nodeType === Node.TEXT_NODE) {
        const t = collapse(child.textContent ?? "");
        if (t) emit(depth, `- text: ${quote(t)}`);
      } else if (child instanceof Element) walk(child, depth);
    }
  }

  function walk(el: Element, depth: number) {
    const tag = el.tagName;
    if (tag === "SCRIPT" || tag === "STYLE" || tag === "NOSCRIPT" || tag === "TEMPLATE" || tag === "HEAD") return;
    if (!visible(el)) return;
    const role = roleOf(el);
    if (role) {
      emit(depth, describe(el, role));
      if (el instanceof HTMLSelectElement) {
        const opts = Array.from(el.options);
        for (const o of opts.slice(0, options.maxOptions))
          emit(depth + 1, `- option ${quote(o.label)}${o.selected ? " [selected]" : ""}`);
        if (opts.length > options.maxOptions)
          emit(depth + 1, `- text: "… ${opts.length - options.maxOptions} more options"`);
        return;
      }
      if (LEAF.has(role)) return;
      if (NAME_FROM_CONTENT.has(role) && !el.querySelector(ROLE_SELECTOR)) return;
      walkChildren(el, depth + 1);
      return;
    }
    if (!el.shadowRoot && !el.querySelector(ROLE_SELECTOR)) {
      const t = visibleText(el);
      if (t) emit(depth, `- text: ${quote(t)}`);
      return;
    }
    walkChildren(el, depth);
  }

  if (document.body) walkChildren(document.body, 0);
  return { lines, next, refs };
}

/** In the page: the element behind a ref, or null when it is gone. */
export function resolveRef(store: string, ref: string): Element | null {
  const st = (window as unknown as Record<string, { byRef: Map<string, WeakRef<Element>> } | undefined>)[store];
  const el = st?.byRef.get(ref)?.deref();
  return el?.isConnected ? el : null;
}

/** In the page: is this field one whose value must never be read back (password, card, one-time code)? */
export function isSensitiveField(el: Element): boolean {
  if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)) return false;
  if (el instanceof HTMLInputElement && el.type === "password") return true;
  if (
    /\b(cc-number|cc-csc|cc-exp|cc-exp-month|cc-exp-year|one-time-code|current-password|new-password)\b/i.test(
      el.getAttribute("autocomplete") ?? "",
    )
  )
    return true;
  const names = [el.getAttribute("name"), el.id, el.getAttribute("aria-label"), el.getAttribute("placeholder")].join(
    " ",
  );
  return /(card|cvv|cvc|csc|otp|one.?time|passcode|password|passwd|\bpin\b|security.?code)/i.test(names);
}
