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

function options(resolveImage?: (src: string) => string | undefined): sanitizeHtml.IOptions {
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
      a: (tagName, attribs) => ({
        tagName,
        attribs: { ...attribs, rel: "noopener noreferrer nofollow", target: "_blank" },
      }),
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
        const src = attribs.src ? resolveImage?.(attribs.src) : undefined;
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
export function sanitize(html: string, resolveImage?: (src: string) => string | undefined): Safe {
  return trusted(sanitizeHtml(html, options(resolveImage)));
}

/** Untrusted markdown → inert HTML. Relative image paths go through `resolveImage`; others become their alt text. */
export function renderMarkdown(text: string, resolveImage?: (src: string) => string | undefined): Safe {
  return sanitize(marked.parse(text, { async: false }) as string, resolveImage);
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
