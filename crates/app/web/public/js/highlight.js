// Syntax colours for code blocks, loaded when an answer first has one: highlight.js's
// core and the grammar a block names, each on first use. Its output (spans with
// classes) goes through DOMPurify too before it replaces the block's text.
import hljs from "../vendor/highlight/core.js";
import DOMPurify from "../vendor/purify.js";

const GRAMMARS = new Set(["rust", "python", "javascript", "typescript", "bash", "json", "go",
  "java", "sql", "yaml", "xml", "css", "c", "cpp"]);
const ALIASES = { js: "javascript", jsx: "javascript", ts: "typescript", tsx: "typescript",
  sh: "bash", shell: "bash", zsh: "bash", py: "python", rs: "rust", html: "xml", svg: "xml",
  yml: "yaml", "c++": "cpp", golang: "go" };
const SPANS = { RETURN_DOM_FRAGMENT: true, ALLOWED_TAGS: ["span"], ALLOWED_ATTR: ["class"] };

/** Colours `code` (a `<code class="language-…">`) when its language is one we have. */
export async function highlight(code) {
  const tag = [...code.classList].find((c) => c.startsWith("language-"))?.slice(9).toLowerCase();
  const language = ALIASES[tag] || tag;
  if (!GRAMMARS.has(language)) return;
  if (!hljs.getLanguage(language)) {
    hljs.registerLanguage(language, (await import(`../vendor/highlight/${language}.js`)).default);
  }
  const { value } = hljs.highlight(code.textContent, { language, ignoreIllegals: true });
  code.replaceChildren(DOMPurify.sanitize(value, SPANS));
}
