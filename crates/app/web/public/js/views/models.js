// The model picker, fed by /v1/models: custom models first, then OpenRouter's, with a
// search box that narrows the list.
import { html, useEffect, useState } from "../html.js";

export function useModels(api) {
  const [models, setModels] = useState([]);
  useEffect(() => {
    api.call("GET", "/v1/models").then((list) => setModels(list.data)).catch(() => setModels([]));
  }, []);
  return models;
}

export function ModelPicker({ t, models, value, onChange }) {
  const [query, setQuery] = useState("");
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const fits = (m) => m.id === value
    || words.every((w) => `${m.id} ${m.name || ""}`.toLowerCase().includes(w));
  const custom = models.filter((m) => m.owned_by === "polychat" && fits(m));
  const upstream = models.filter((m) => m.owned_by !== "polychat" && fits(m));
  const option = (m) => html`<option value=${m.id}>${m.name ? `${m.name} (${m.id})` : m.id}</option>`;
  const known = models.some((m) => m.id === value);
  return html`<div class="picker">
    <input type="search" aria-label=${t("searchModels")} placeholder=${t("searchModels")}
      value=${query} onInput=${(e) => setQuery(e.target.value)} />
    <select aria-label=${t("model")} value=${value} onChange=${(e) => onChange(e.target.value)}>
      ${!known && html`<option value=${value}>${value || t("defaultModel")}</option>`}
      ${custom.length > 0 && html`<optgroup label=${t("customModels")}>${custom.map(option)}</optgroup>`}
      ${upstream.length > 0 && html`<optgroup label=${t("openrouterModels")}>${upstream.map(option)}</optgroup>`}
    </select>
  </div>`;
}
