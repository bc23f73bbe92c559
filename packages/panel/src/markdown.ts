import { Marked } from "marked";
import sanitizeHtml from "sanitize-html";
import { type Safe, trusted } from "./html.js";

/*
 * Markdown from the agent (reports, artifacts, memory) is untrusted: marked
 * renders it, then an allowlist sanitizer keeps only inert elements. No
 * script, style, iframe, form, event handler or `javascript:`/`data:` URL
 * survives; the page's CSP (no inline script) is the second wall.
 */

const marked = new Marked({ gfm: true, breaks: false, async: false });

/** Where a relative link or image of agent-made text points in the panel; undefined drops it. */
export type Resolve = (link: string, as: "link" | "image") => string | undefined;

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:|^\/\//i;

function options(resolve?: Resolve): sanitizeHtml.IOptions {
  return {
    allowedTags: [
      ...["h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre", "code", "em", "strong", "del"],
      ...["ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "a", "img", "span", "input"],
    ],
    allowedAttributes: {
      a: ["href", "title", "rel", "target"],
      img: ["src", "alt", "title"],
      th: ["align"],
      td: ["align"],
      code: ["class"],
      input: ["type", "checked", "disabled"],
    },
    allowedSchemes: ["http", "https", "mailto"],
    allowProtocolRelative: false,
    disallowedTagsMode: "discard",
    transformTags: {
      // A link opens apart from the panel, tells the target nothing, and never replaces the panel.
      // A relative link (an artifact named in a report) opens that evidence in the panel; anything else drops its href.
      a: (tagName, attribs) => {
        const href = attribs.href ?? "";
        if (/^(https?|mailto):/i.test(href))
          return { tagName, attribs: { ...attribs, rel: "noopener noreferrer nofollow", target: "_blank" } };
        const inside = href && !ABSOLUTE.test(href) ? resolve?.(href, "link") : undefined;
        const { href: _drop, ...rest } = attribs;
        return { tagName, attribs: inside ? { ...rest, href: inside } : rest };
      },
      // Task-list checkboxes only; any other <input> an agent writes becomes nothing.
      input: (tagName, attribs) =>
        attribs.type === "checkbox"
          ? {
              tagName,
              attribs: { type: "checkbox", disabled: "", ...(attribs.checked !== undefined ? { checked: "" } : {}) },
            }
          : { tagName: "span", attribs: {} },
      // Images only from the worksite's own evidence, through the panel's confined file route.
      img: (tagName, attribs): sanitizeHtml.Tag => {
        const src = attribs.src && !ABSOLUTE.test(attribs.src) ? resolve?.(attribs.src, "image") : undefined;
        return src
          ? { tagName, attribs: { src, alt: attribs.alt ?? "" } }
          : {
              tagName: "span",
              attribs: {} as sanitizeHtml.Attributes,
              text: attribs.alt ? `[image: ${attribs.alt}]` : "",
            };
      },
    },
  };
}

/** Untrusted HTML → inert HTML. */
export function sanitize(html: string, resolve?: Resolve): Safe {
  return trusted(sanitizeHtml(html, options(resolve)));
}

/** Untrusted markdown → inert HTML. Relative links and images go through `resolve`; other images become their alt text. */
export function renderMarkdown(text: string, resolve?: Resolve): Safe {
  return sanitize(marked.parse(text, { async: false }) as string, resolve);
}

/** diff2html's markup (it escapes the diff's text itself): layout tags and classes only, nothing that links or runs. */
export function sanitizeDiff(html: string): Safe {
  return trusted(
    sanitizeHtml(html, {
      allowedTags: [
        "div",
        "span",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "ins",
        "del",
        "p",
        "br",
        "ul",
        "li",
        "ol",
        "svg",
        "path",
        "label",
        "input",
      ],
      allowedAttributes: { "*": ["class", "colspan"], input: ["type", "id", "class"] },
      allowedSchemes: [],
      disallowedTagsMode: "discard",
    }),
  );
}
