// Loads a view's module on first use, so the first page carries only what it shows.
import { html, useEffect, useState } from "./html.js";

const cache = new Map();

/** Renders `name` exported by the module at `path` (relative to js/), once it loaded. */
export function Lazy({ path, name, ...props }) {
  const [component, setComponent] = useState(() => cache.get(`${path}#${name}`));
  useEffect(() => {
    if (component) return;
    import(`./${path}`).then((module) => {
      cache.set(`${path}#${name}`, module[name]);
      setComponent(() => module[name]);
    });
  }, [path, name]);
  return component ? html`<${component} ...${props} />` : null;
}
