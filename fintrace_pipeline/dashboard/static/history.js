// History across files: on a file's page, the section "Compared with earlier files"
// (GET /api/file-comparison/); on /sources/NAME, the source's months (GET /api/source-trends/).
// Uses the helpers of app.js ($, api, el, cell, moneyCell, fillRows, fmt, money, shareFormat).
"use strict";

const COMPARISON_RETRY_MS = 3000;
const COMPARISON_MAX_TRIES = 200; // about ten minutes of waiting for a file still being processed
const RULE_WORDS = { HIST_DUP_INVOICE: "same invoice", HIST_DUP_VENDOR_AMOUNT: "same vendor and amount" };
const KIND_WORDS = { vendor: "Vendor", account: "Account", user: "User" };

function historyTable(id, caption, headings, numeric = []) {
  const head = el("tr", {}, ...headings.map((h, i) => el("th", { scope: "col", ...(numeric.includes(i) ? { class: "num" } : {}), text: h })));
  return el("div", { class: "table-wrap" },
    el("table", { id }, el("caption", { class: "visually-hidden", text: caption }), el("thead", {}, head), el("tbody")));
}

// A small line of a change's earlier months and, last, the file's month (the larger dot).
function sparkline(history, current, label) {
  const values = [...history.map((h) => h.total), current];
  const width = 120, height = 28, pad = 3;
  const max = Math.max(...values), min = Math.min(...values);
  const span = max - min || 1;
  const x = (i) => pad + (i * (width - 2 * pad)) / Math.max(values.length - 1, 1);
  const y = (v) => height - pad - ((v - min) * (height - 2 * pad)) / span;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  for (const [key, value] of Object.entries({ width, height, viewBox: `0 0 ${width} ${height}`, role: "img", class: "sparkline" })) {
    svg.setAttribute(key, value);
  }
  svg.setAttribute("aria-label", `${label}: ${history.map((h) => `${h.month} ${money(h.total)}`).join(", ")}; this file ${money(current)}`);
  const line = document.createElementNS(ns, "polyline");
  line.setAttribute("points", values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" "));
  line.setAttribute("fill", "none");
  line.setAttribute("stroke", "#1f5fbf");
  line.setAttribute("stroke-width", "1.5");
  const dot = document.createElementNS(ns, "circle");
  dot.setAttribute("cx", x(values.length - 1).toFixed(1));
  dot.setAttribute("cy", y(current).toFixed(1));
  dot.setAttribute("r", "3");
  dot.setAttribute("fill", "#b3261e");
  svg.append(line, dot);
  return svg;
}

function comparisonSection() {
  return el("section", { class: "panel", id: "history", "aria-labelledby": "history-title" },
    el("h2", { id: "history-title", text: "Compared with earlier files" }),
    el("p", { id: "history-status", role: "status" }),
    el("p", { id: "history-source" }),
    el("div", { id: "history-body", hidden: "" },
      el("h3", { text: "New vendors" }),
      historyTable("history-new-vendors", "Vendors no earlier file of the source has", ["Vendor", "First", "Lines", "Total"], [2, 3]),
      el("h3", { text: "Reactivated vendors" }),
      historyTable("history-reactivated", "Vendors silent for months, paid again", ["Vendor", "Silent months", "Last seen", "Back from", "Total"], [1, 4]),
      el("h3", { text: "Biggest changes against their own history" }),
      historyTable("history-changes", "Month totals against the entity's earlier months (median and MAD)",
        ["What", "Month", "Total", "Usual month", "Ratio", "Robust z", "Earlier months"], [2, 3, 4, 5]),
      el("h3", { text: "Already booked in an earlier file" }),
      historyTable("history-duplicates", "Lines matching a line of an earlier file of the source",
        ["Row", "Vendor", "Invoice", "Amount", "Match", "Earlier file", "Earlier row", "Earlier date"], [0, 3, 6])));
}

function emptyRow(columns, text) {
  return [el("td", { colspan: String(columns), class: "muted", text })];
}

function renderComparison(body) {
  const comparison = body.comparison || {};
  const earlier = comparison.earlier_files || [];
  setText($("history-status"), body.note || `Compared with ${earlier.length} earlier file${earlier.length === 1 ? "" : "s"} of the source.`);
  const link = el("a", { href: `/sources/${encodeURIComponent(body.source)}`, text: `All months of source ${body.source}` });
  $("history-source").replaceChildren(link);
  if (!earlier.length) return;
  $("history-body").hidden = false;
  const vendors = (comparison.new_vendors || []).map((v) => [cell(v.vendor), cell(v.first), cell(v.lines, true), moneyCell(v.total)]);
  fillRows($("history-new-vendors").tBodies[0], vendors.length ? vendors : [emptyRow(4, "None.")]);
  const back = (comparison.reactivated_vendors || []).map((v) => [cell(v.vendor), cell(v.silent_months, true), cell(v.last_seen), cell(v.first), moneyCell(v.total)]);
  fillRows($("history-reactivated").tBodies[0], back.length ? back : [emptyRow(5, "None.")]);
  const changes = (comparison.spend_changes || []).map((c) => {
    const what = `${KIND_WORDS[c.kind] || c.kind} ${c.name}`;
    return [cell(what), cell(c.month), moneyCell(c.total), moneyCell(c.median), cell(c.ratio, true), cell(c.z, true),
      el("td", {}, sparkline(c.history || [], c.total, `${what}, earlier months`))];
  });
  fillRows($("history-changes").tBodies[0], changes.length ? changes : [emptyRow(7, "No entity has enough earlier months yet.")]);
  const duplicates = (comparison.cross_file_duplicates || []).map((d) => [
    cell(d.row_number, true), cell(d.vendor), cell(d.invoice), moneyCell(d.amount), cell(RULE_WORDS[d.rule_code] || d.rule_code),
    el("td", {}, el("a", { href: `/files/${encodeURIComponent(d.earlier_file_id)}`, text: d.earlier_file })),
    cell(d.earlier_row, true), cell(d.earlier_date)]);
  fillRows($("history-duplicates").tBodies[0], duplicates.length ? duplicates : [emptyRow(8, "None.")]);
}

async function showComparison(fileId) {
  // Beside the file's own results, right after its summary cards.
  $("cards").after(comparisonSection());
  for (let attempt = 0; attempt < COMPARISON_MAX_TRIES; attempt += 1) {
    const body = await api(`/api/file-comparison/?file_id=${encodeURIComponent(fileId)}`);
    if (body.status) { renderComparison(body); return; }
    setText($("history-status"), body.note);
    await new Promise((resolve) => setTimeout(resolve, COMPARISON_RETRY_MS));
  }
}

// ---- a source's page -------------------------------------------------------------------------------

function trendChart(target, months, key, subject, format) {
  const node = $(target);
  node.setAttribute("aria-label", `${subject}: ${months.map((m) => `${m.month} ${format(m[key])}`).join("; ")}`);
  if (typeof Plotly === "undefined") return;
  Plotly.newPlot(target, [{ type: "scatter", mode: "lines+markers", x: months.map((m) => m.month), y: months.map((m) => m[key]),
    line: { color: "#1f5fbf" } }], { margin: { t: 10, r: 10, b: 40, l: 60 }, height: 220, xaxis: { type: "category" } },
  { displayModeBar: false, responsive: true });
}

async function showSource(source) {
  document.title = `${source} · FinTrace`;
  const view = el("section", { id: "source-view" },
    el("p", {}, el("a", { href: "/", text: "← All files" })),
    el("h1", { id: "source-title", text: `Source ${source}` }),
    el("section", { class: "panel", "aria-labelledby": "trend-title" },
      el("h2", { id: "trend-title", text: "Month by month" }),
      el("div", { class: "charts" },
        el("figure", {}, el("div", { id: "trend-total", class: "chart", role: "img" }), el("figcaption", { text: "Gross amount" })),
        el("figure", {}, el("div", { id: "trend-flagged", class: "chart", role: "img" }), el("figcaption", { text: "Share of lines with a medium or high finding" })),
        el("figure", {}, el("div", { id: "trend-confirmed", class: "chart", role: "img" }), el("figcaption", { text: "Confirmed findings" }))),
      historyTable("trend-table", "The source's months", ["Month", "Lines", "Gross amount", "Flagged lines", "Flagged share", "Confirmed"], [1, 2, 3, 4, 5])),
    el("section", { class: "panel", "aria-labelledby": "source-files-title" },
      el("h2", { id: "source-files-title", text: "Files, oldest data first" }),
      historyTable("source-files", "The source's files by their data period", ["File", "From", "To", "Lines"], [3])));
  $("main").append(view);
  const body = await api(`/api/source-trends/?source=${encodeURIComponent(source)}`);
  const months = body.months;
  fillRows($("trend-table").tBodies[0], months.map((m) => [cell(m.month), cell(m.rows, true), moneyCell(m.total),
    cell(m.flagged_rows, true), el("td", { class: "num", text: m.flagged_share === null ? "–" : shareFormat.format(m.flagged_share) }),
    cell(m.confirmed, true)]));
  fillRows($("source-files").tBodies[0], body.files.map((f) => [
    el("td", {}, el("a", { href: `/files/${encodeURIComponent(f.data_file_id)}`, text: f.file_name })),
    cell(f.period_start.slice(0, 10)), cell(f.period_end.slice(0, 10)), cell(f.rows, true)]));
  trendChart("trend-total", months, "total", "Gross amount by month", money);
  trendChart("trend-flagged", months, "flagged_share", "Flagged share by month", (v) => (v === null ? "–" : shareFormat.format(v)));
  trendChart("trend-confirmed", months, "confirmed", "Confirmed findings by month", fmt);
}

function startHistory() {
  const file = /^\/files\/([^/]+)\/?$/.exec(location.pathname);
  const source = /^\/sources\/([^/]+)\/?$/.exec(location.pathname);
  if (file) {
    showComparison(decodeURIComponent(file[1])).catch((error) => setText($("history-status"), `Could not load the comparison: ${error.message}`));
  } else if (source) {
    showSource(decodeURIComponent(source[1])).catch((error) => showError(`Could not load this source: ${error.message}`));
  }
}

startHistory();
