// Model output to DOM, safely: markdown is rendered by marked with raw HTML escaped (so
// `<img onerror>` shows as text), then sanitized by DOMPurify into a fragment, never
// assigned as an HTML string. Links open in a new tab without referrer or opener, and
// only http(s) and mailto links survive; code blocks get a copy button and, once the
// highlighter has loaded, colours.
import { Marked } from "../vendor/marked.js";
import DOMPurify from "../vendor/purify.js";

const escapeHtml = (text) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

const marked = new Marked({
  gfm: true,
  breaks: true,
  renderer: { html: ({ text }) => escapeHtml(text) },
});

const SAFE_URL = /^(https?:|mailto:|#)/i;

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    const href = node.getAttribute("href") || "";
    if (!SAFE_URL.test(href.trim())) node.removeAttribute("href");
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
});

// A code block keeps the language marked gives it (`language-rust`), and no other class.
DOMPurify.addHook("uponSanitizeAttribute", (node, data) => {
  if (node.tagName === "CODE" && data.attrName === "class" && /^language-[\w+#-]+$/.test(data.attrValue)) {
    data.forceKeepAttr = true;
  }
});

const PURIFY = {
  RETURN_DOM_FRAGMENT: true,
  FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "img", "svg", "math"],
  FORBID_ATTR: ["style", "class", "id"],
  ALLOW_DATA_ATTR: false,
};

/** `source` (markdown from a model) as a sanitized DOM fragment. */
export function renderMarkdown(source, t) {
  const fragment = DOMPurify.sanitize(marked.parse(source || ""), PURIFY);
  for (const pre of fragment.querySelectorAll("pre")) {
    const wrapper = document.createElement("div");
    wrapper.className = "code";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = t("copy");
    button.addEventListener("click", async () => {
      await navigator.clipboard?.writeText(pre.textContent).catch(() => {});
      button.textContent = t("copied");
      setTimeout(() => { button.textContent = t("copy"); }, 1500);
    });
    pre.replaceWith(wrapper);
    wrapper.append(button, pre);
    const code = pre.querySelector("code[class^='language-']");
    if (code) import("./highlight.js").then((module) => module.highlight(code));
  }
  return fragment;
}
