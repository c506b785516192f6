// A file's stratification of amounts (table and chart) and, where the file dates its documents, its
// aging, as default_analytics stored them. Shown once the file's results are; uses the helpers of
// app.js ($, api, el, cell, moneyCell, fmt, shareFormat, barChart, flagState).
"use strict";

const shareText = (value) => (typeof value === "number" ? shareFormat.format(value) : "–");

function bandTable(caption, bands) {
  const head = el("tr", {}, ...["Band", "Lines", "Total", "Share of lines", "Share of total"].map(
    (name, i) => el("th", i ? { scope: "col", class: "num" } : { scope: "col" }, name)));
  const rows = bands.map((b) => el("tr", {}, cell(b.band), cell(b.lines, true), moneyCell(b.total),
    cell(shareText(b.share_of_lines), true), cell(shareText(b.share_of_total), true)));
  return el("div", { class: "table-wrap" },
    el("table", {}, el("caption", { text: caption }), el("thead", {}, head), el("tbody", {}, ...rows)));
}

function groupTable(column, rows) {
  const head = el("tr", {}, ...[column, "Band", "Lines", "Total", `Share of the ${column}'s total`].map(
    (name, i) => el("th", i > 1 ? { scope: "col", class: "num" } : { scope: "col" }, name)));
  const body = rows.map((r) => el("tr", {}, cell(r[column]), cell(r.band), cell(r.lines, true), moneyCell(r.total),
    cell(shareText(r[`share_of_${column}_total`]), true)));
  return el("details", {}, el("summary", { text: `By ${column} (the largest by volume)` }),
    el("div", { class: "table-wrap" }, el("table", {}, el("thead", {}, head), el("tbody", {}, ...body))));
}

function renderStratification(panel, detail) {
  const strata = detail.trial_balance_data && detail.trial_balance_data.stratification;
  if (!strata) { panel.append(el("p", { class: "muted", text: "No stratification for this file." })); return; }
  panel.append(el("p", { text: `${strata.reason}. Band edges: ${strata.edges_from}.` }));
  panel.append(el("figure", {}, el("div", { id: "chart-strata", class: "chart", role: "img" }),
    el("figcaption", { text: "Absolute amount per size band" })));
  panel.append(bandTable("Lines and money per size band", strata.bands));
  barChart("chart-strata", detail.chart_data && detail.chart_data.stratification, "the absolute amount per size band");
  for (const column of ["account", "vendor"]) {
    const rows = strata[`by_${column}`];
    if (rows && rows.length) panel.append(groupTable(column, rows));
  }
}

function renderAging(panel, detail) {
  const aged = detail.temporal_patterns && detail.temporal_patterns.aging;
  if (!aged) return;
  panel.append(el("h3", { text: "Aging (document date to posting date)" }));
  panel.append(el("p", { text: `${aged.late_payments.reason}; ${aged.before_document_date.reason}.` }));
  panel.append(bandTable(`Days outstanding of ${fmt(aged.lines_aged)} dated lines`, aged.bands));
}

async function showStratification() {
  if (!flagState.fileId || !flagState.jobId || $("strata")) return;
  const query = `file_id=${encodeURIComponent(flagState.fileId)}&job_id=${encodeURIComponent(flagState.jobId)}`;
  const answer = await api(`/api/analytics-results/?${query}&analytics_type=default_analytics`);
  const result = answer.results.find((r) => r.analytics_type === "default_analytics");
  const panel = el("section", { class: "panel", id: "strata", "aria-labelledby": "strata-title" },
    el("h2", { id: "strata-title", text: "Stratification of amounts" }));
  $("tb-title").closest("section").after(panel);
  renderStratification(panel, (result && result.detailed_results) || {});
  renderAging(panel, (result && result.detailed_results) || {});
}

// The results appear when app.js unhides them, once it knows the file's job.
new MutationObserver(() => {
  if (!$("file-results").hidden) showStratification().catch((error) => showError(`Could not show the stratification: ${error.message}`));
}).observe($("file-results"), { attributes: true, attributeFilter: ["hidden"] });
