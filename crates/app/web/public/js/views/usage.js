// Tokens used over the last 30 days, grouped by model, day or user, as a small bar chart.
import { html, useEffect, useState } from "../html.js";

const DAY = 24 * 3600 * 1000;
const isoDay = (date) => date.toISOString().slice(0, 10);

function Bars({ t, items, label }) {
  const top = Math.max(1, ...items.map((i) => i.total_tokens));
  return html`<figure class="chart"><figcaption>${label}</figcaption>
    <ul>${items.map((item) => html`<li key=${item.key}>
      <span class="key">${label === t("byDay") ? t.day(item.key) : item.key}</span>
      <span class="bar"><span ref=${(el) => { if (el) el.style.width = `${(100 * item.total_tokens) / top}%`; }}></span></span>
      <span class="value">${t.number(item.total_tokens)} tokens · ${t.number(item.requests)} ${t("requests")}</span>
    </li>`)}</ul></figure>`;
}

export function Usage({ api, t, path, groups, title }) {
  const [reports, setReports] = useState({});
  useEffect(() => {
    const to = new Date();
    const range = { from: isoDay(new Date(to - 29 * DAY)), to: isoDay(to) };
    Promise.all(groups.map((group) => api.call("GET",
      `${path}?${new URLSearchParams({ ...range, group_by: group })}`).then((r) => [group, r])))
      .then((pairs) => setReports(Object.fromEntries(pairs))).catch(() => setReports({}));
  }, [path]);
  const labels = { model: t("byModel"), day: t("byDay"), user: t("usageByUser") };
  const any = Object.values(reports).some((r) => r.items.length);
  return html`<section><h3>${title || t("usage")}</h3>
    ${!any && html`<p class="muted">${t("noUsage")}</p>`}
    ${any && groups.map((group) => reports[group] && html`<${Bars} key=${group} t=${t}
      label=${labels[group]} items=${reports[group].items} />`)}
  </section>`;
}
