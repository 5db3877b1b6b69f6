// A modal dialog on the native <dialog> element: focus moves in and is trapped there,
// Escape closes it, and focus goes back where it was.
import { html, useEffect, useRef } from "../html.js";

export function Dialog({ t, title, onClose, children, wide = false }) {
  const ref = useRef(null);
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement;
    dialog.showModal();
    const closed = () => onClose();
    dialog.addEventListener("close", closed);
    return () => {
      dialog.removeEventListener("close", closed);
      if (dialog.open) dialog.close();
      opener?.focus?.();
    };
  }, []);
  return html`<dialog ref=${ref} class=${wide ? "panel wide" : "panel"} aria-label=${title}>
    <header><h2>${title}</h2>
      <button type="button" class="icon" aria-label=${t("close")} onClick=${() => ref.current.close()}>✕</button>
    </header>
    <div class="body">${children}</div>
  </dialog>`;
}

/** Asks to confirm something that cannot be undone. */
export function Confirm({ t, text, action, onConfirm, onClose }) {
  return html`<${Dialog} t=${t} title=${action} onClose=${onClose}>
    <p>${text}</p>
    <div class="row end">
      <button type="button" onClick=${onClose}>${t("cancel")}</button>
      <button type="button" class="danger" onClick=${onConfirm}>${action}</button>
    </div>
  <//>`;
}
