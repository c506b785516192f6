// FinTrace dashboard: reads and shows what the /api/ endpoints return; it computes nothing itself.
"use strict";

const TERMINAL = new Set(["COMPLETED", "FAILED", "CANCELED"]);
const ACTIVE = new Set(["PENDING", "RUNNING"]);
const POLL_MS = 1000;
const STALLED_POLL_MS = 5000;
const MAX_POLL_ERRORS = 10;
const LIST_ACTIVE_MS = 3000;
const LIST_IDLE_MS = 30000;
// Time limits per request kind: a server that never answers becomes an error, not an endless wait.
const REQUEST_TIMEOUT_MS = 20000;
const UPLOAD_TIMEOUT_MS = 30 * 60 * 1000;
const EXPORT_TIMEOUT_MS = 10 * 60 * 1000;
const FLAG_PAGE = 25;
const TOKEN_KEY = "fintrace.token";
const EXPORTS = [["scores", "Risk scores"], ["flags", "Findings"], ["duplicates", "Duplicates"], ["trial_balance", "Trial balance"]];
const ENTRY_EXPORT = ["entries", "Entry scores"];
const REPORTS = [["xlsx", "Audit workpaper (XLSX)"], ["pdf", "Report (PDF)"]];

const $ = (id) => document.getElementById(id);

// How long a job may show no change before the page says so: two minutes, or ?stall_seconds=N
// (read once) for a demonstration or a check that cannot wait that long.
const STALL_MS = (() => {
  const seconds = Number(new URLSearchParams(location.search).get("stall_seconds"));
  return seconds > 0 ? seconds * 1000 : 2 * 60 * 1000;
})();

// ---- API access ------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

function authHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

let tokenWaiters = [];

function askForToken(message) {
  $("token-form").hidden = false;
  $("token-error").textContent = message || "";
  $("token-input").focus();
  return new Promise((resolve) => tokenWaiters.push(resolve));
}

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $("token-input").value.trim());
  $("token-form").hidden = true;
  const waiters = tokenWaiters;
  tokenWaiters = [];
  waiters.forEach((resolve) => resolve());
});

// One attempt: the answer and its body (read by `read`) must both arrive within the time limit,
// so a server that stops halfway through a body is caught as well.
async function timedFetch(path, init, timeoutMs, read) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(path, { ...init, signal: controller.signal });
    const body = response.status === 401 ? null : await read(response);
    // `read` may have swallowed the abort (an unreadable body is not an error by itself).
    if (controller.signal.aborted) throw new Error("aborted");
    return { response, body };
  } catch (error) {
    throw new ApiError(controller.signal.aborted ? `no answer within ${timeoutMs / 1000} s` : error.message, 0);
  } finally {
    clearTimeout(timer);
  }
}

const readJson = (response) => response.json().catch(() => null);

async function request(path, { timeoutMs = REQUEST_TIMEOUT_MS, read = readJson, ...options } = {}) {
  for (;;) {
    const sent = sessionStorage.getItem(TOKEN_KEY);
    const init = { ...options, headers: { ...authHeaders(), ...(options.headers || {}) } };
    const answer = await timedFetch(path, init, timeoutMs, read);
    if (answer.response.status === 401) {
      // A token given while this request was in flight is tried before asking again.
      if (sessionStorage.getItem(TOKEN_KEY) !== sent) continue;
      await askForToken(sent ? "That token was not accepted." : "");
      continue;
    }
    return answer;
  }
}

async function api(path, options) {
  const { response, body } = await request(path, options);
  if (!response.ok || !body || body.success === false) {
    const message = (body && body.error) || `${response.status} ${response.statusText}`;
    throw new ApiError(message, response.status);
  }
  return body;
}

// ---- formatting and DOM helpers (text only: file names and reasons are user data) ---------------

const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
// Shares, thresholds and statistics below 1 keep three significant digits, so that a MAD of 0.00653
// stays comparable with its cut-offs instead of becoming 0.01.
const smallFormat = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 3 });
const formatNumber = (value) => (value !== 0 && Math.abs(value) < 1 ? smallFormat : numberFormat).format(value);
const fmt = (value) => (value === null || value === undefined ? "–" : typeof value === "number" ? formatNumber(value) : String(value));
const shareFormat = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });
const moneyFormat = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const money = (value) => (typeof value === "number" ? moneyFormat.format(value) : fmt(value));
const when = (iso) => (iso ? new Date(iso + (iso.endsWith("Z") ? "" : "Z")).toLocaleString() : "–");

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(fmt(child)));
  return node;
}

function cell(value, numeric) { return el("td", numeric ? { class: "num" } : {}, value); }
function moneyCell(value) { return el("td", { class: "num" }, money(value)); }

function fillRows(tbody, rows) {
  tbody.replaceChildren(...rows.map((cells) => el("tr", {}, ...cells)));
}

function showError(message) {
  const box = $("page-error");
  box.textContent = message;
  box.hidden = !message;
}

// Live regions are announced on every change of their text, so an unchanged text is not rewritten.
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function statusBadge(status) { return el("span", { class: `status-${status}`, text: status || "–" }); }

// ---- progress ----------------------------------------------------------------------------------

function renderProgress(progress, bar, stepsList, message) {
  const percent = Number(progress.overall_progress) || 0;
  bar.querySelector(".fill").style.width = `${percent}%`;
  bar.setAttribute("aria-valuenow", String(percent));
  bar.classList.toggle("failed", progress.status === "FAILED" || progress.status === "CANCELED");
  bar.classList.toggle("done", progress.status === "COMPLETED");
  stepsList.replaceChildren(...(progress.steps || []).map((step) =>
    el("li", { class: step.status || "PENDING" },
      `${step.label} (${step.start_percent}–${step.end_percent} %): ${step.status || "PENDING"}`)));
  if (progress.status === "FAILED" || progress.status === "CANCELED") {
    message.className = "error";
    setText(message, `${progress.status}: ${progress.error_message || "no reason was recorded"}`);
  } else {
    message.className = "";
    setText(message, `${progress.status} · ${fmt(percent)} % · ${progress.current_step || ""}`);
  }
}

function describeWait(ms) {
  const minutes = ms / 60000;
  if (Number.isInteger(minutes)) return minutes === 1 ? "1 minute" : `${minutes} minutes`;
  return `${fmt(ms / 1000)} seconds`;
}

// Shown while the progress has not changed for STALL_MS; cleared (null) as soon as it moves.
function showStall(notice, progress) {
  notice.hidden = !progress;
  if (!progress) { notice.textContent = ""; return; }
  const waited = `No progress for ${describeWait(STALL_MS)}`;
  const cause = progress.status === "PENDING"
    ? "the job has not been picked up. Is the Dagster daemon running?"
    : `the job is ${progress.status} at “${progress.current_step || "its current step"}”. A long step can take`
      + " a while; if it stays like this, check that the Dagster daemon and this run are still alive.";
  setText(notice, `${waited} — ${cause} Still checking every ${describeWait(STALLED_POLL_MS)}.`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls until the job is terminal. Failed polls (including ones that time out) are retried a bounded
// number of times, then reported; a job whose progress stops changing gets a notice and slower polls.
// Either way the page never just spins.
async function pollProgress(jobId, view) {
  let errors = 0;
  let lastPayload = null;
  let lastChange = Date.now();
  for (;;) {
    try {
      const { progress } = await api(`/api/processing-progress/?job_id=${encodeURIComponent(jobId)}`);
      errors = 0;
      const payload = JSON.stringify(progress);
      if (payload !== lastPayload) { lastPayload = payload; lastChange = Date.now(); }
      renderProgress(progress, view.bar, view.steps, view.message);
      const done = TERMINAL.has(progress.status);
      showStall(view.stall, !done && Date.now() - lastChange >= STALL_MS ? progress : null);
      if (done) return progress;
    } catch (error) {
      errors += 1;
      if (error.status === 404 || errors >= MAX_POLL_ERRORS) {
        showStall(view.stall, null);
        view.message.className = "error";
        view.message.textContent = `Progress is unavailable: ${error.message}`;
        return null;
      }
      view.message.textContent = `Connection problem (${error.message}); retrying…`;
    }
    await sleep(Date.now() - lastChange >= STALL_MS ? STALLED_POLL_MS : POLL_MS);
  }
}

// Follows the job over the progress stream and falls back to polling when the stream cannot be opened
// or drops before the job ends. The view's data-transport says which one is showing it.
async function watchProgress(jobId, view) {
  view.bar.dataset.transport = "stream";
  let lastChange = Date.now();
  let latest = null;
  const stallCheck = setInterval(() => {
    showStall(view.stall, latest && Date.now() - lastChange >= STALL_MS ? latest : null);
  }, POLL_MS);
  const streamed = await streamProgress(jobId, authHeaders(), (progress) => {
    latest = progress;
    lastChange = Date.now();
    renderProgress(progress, view.bar, view.steps, view.message);
    showStall(view.stall, null);
  });
  clearInterval(stallCheck);
  if (streamed && TERMINAL.has(streamed.status)) return streamed;
  view.bar.dataset.transport = "poll";
  return pollProgress(jobId, view);
}

function progressView(prefix) {
  return { bar: $(`${prefix}-bar`), steps: $(`${prefix}-steps`), message: $(`${prefix}-message`), stall: $(`${prefix}-stall`) };
}

// ---- file list and upload ------------------------------------------------------------------------

let listTimer = null;

// Returns whether some job is still pending or running, which decides how soon to look again.
async function loadFiles() {
  const { files, total } = await api(`/api/files/?${fileListQuery()}`);
  fillRows($("files-table").tBodies[0], files.map((f) => [
    el("td", {}, el("a", { href: `/files/${f.data_file_id}`, text: f.file_name })),
    el("td", {}, statusBadge(f.latest_job_status)),
    cell(f.rows_read, true), cell(f.rows_loaded, true), cell(f.rows_rejected, true),
    cell(f.high_risk_transactions, true), cell(when(f.created_at)),
  ]));
  $("files-empty").hidden = files.length > 0;
  showFilePage(total, files.length);
  return files.some((f) => ACTIVE.has(f.latest_job_status));
}

// Quick refreshes only while something is being processed; otherwise an occasional look for new files.
function refreshFiles() {
  clearTimeout(listTimer);
  loadFiles()
    .then((active) => {
      showError("");
      listTimer = setTimeout(refreshFiles, active ? LIST_ACTIVE_MS : LIST_IDLE_MS);
    })
    .catch((error) => {
      showError(`Could not load the files: ${error.message}`);
      listTimer = setTimeout(refreshFiles, LIST_IDLE_MS);
    });
}

// `mapping`: the source columns the person chose in the preview (canonical -> header, "" for none).
async function upload(file, mapping = {}) {
  $("upload-progress").hidden = false;
  $("upload-name").textContent = file.name;
  $("upload-status").textContent = "uploading…";
  $("upload-steps").replaceChildren();
  showStall($("upload-stall"), null);
  const message = $("upload-message");
  message.className = "";
  message.textContent = "";
  const form = new FormData();
  form.append("file", file, file.name);
  if (Object.keys(mapping).length) form.append("mapping", JSON.stringify(mapping));
  let answer;
  try {
    answer = await api("/api/files", { method: "POST", body: form, timeoutMs: UPLOAD_TIMEOUT_MS });
  } catch (error) {
    $("upload-status").textContent = "upload refused";
    message.className = "error";
    message.textContent = error.message;
    return;
  }
  $("upload-status").textContent = "waiting for processing";
  refreshFiles();
  const progress = await watchProgress(answer.job_id, progressView("upload"));
  $("upload-status").textContent = progress ? progress.status : "unknown";
  if (progress && progress.status === "COMPLETED") {
    message.replaceChildren("Done. ", el("a", { href: `/files/${answer.data_file_id}`, text: "Open the results" }));
  }
  refreshFiles();
}

// The visible button is the one keyboard stop for choosing a file; the input itself stays hidden.
function setUpUpload() {
  const zone = $("drop-zone");
  const input = $("file-input");
  setUpPreview();
  input.addEventListener("change", () => { if (input.files.length) previewUpload(input.files[0]); input.value = ""; });
  $("choose-file").addEventListener("click", () => input.click());
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer.files.length) previewUpload(event.dataTransfer.files[0]);
  });
}

// A file dropped anywhere else must not make the browser leave the page to open it.
function guardAgainstStrayDrops() {
  window.addEventListener("dragover", (event) => {
    event.preventDefault();
    const zone = $("drop-zone");
    const outside = !zone || !zone.contains(event.target);
    if (outside && event.dataTransfer) event.dataTransfer.dropEffect = "none";
  });
  window.addEventListener("drop", (event) => event.preventDefault());
}

// ---- one file's results ----------------------------------------------------------------------------

const chartConfig = { displayModeBar: false, responsive: true };
const chartLayout = (extra) => ({ margin: { t: 10, r: 10, b: 80, l: 60 }, font: { size: 11 }, ...extra });

const MAX_LABELLED_BARS = 12;

// The chart's text alternative: its subject and the bars as the API gives them (the first few).
function describeBars(subject, labels, values, format) {
  const bars = labels.slice(0, MAX_LABELLED_BARS).map((label, i) => `${label}: ${format(values[i])}`);
  return `${subject}. ${bars.join("; ")}${labels.length > MAX_LABELLED_BARS ? "; …" : ""}`;
}

function barChart(target, series, subject) {
  const node = $(target);
  if (!series || !series.labels || !series.labels.length) {
    node.setAttribute("aria-label", `${subject}: no data`);
    node.replaceChildren(el("p", { class: "muted", text: "No data." }));
    return;
  }
  node.setAttribute("aria-label", describeBars(`Bar chart of ${subject}`, series.labels, series.values, money));
  Plotly.newPlot(target, [{ type: "bar", x: series.labels, y: series.values, marker: { color: "#1f5fbf" } }],
    chartLayout({ xaxis: { automargin: true }, yaxis: { automargin: true } }), chartConfig);
}

function card(label, value) {
  return el("div", { class: "card" }, el("div", { class: "label", text: label }), el("div", { class: "value", text: fmt(value) }));
}

function renderCards(summary, totals, flaggedTotal, byEntry) {
  const file = summary.data_file;
  const anomalies = summary.analytics_results.anomaly_detection || {};
  const duplicates = summary.analytics_results.duplicate_analysis || {};
  const ensemble = summary.ml_results.ensemble || {};
  $("cards").replaceChildren(
    card("Rows read", file.rows_read), card("Rows loaded", file.rows_loaded), card("Rows rejected", file.rows_rejected),
    card("Total debit", money(totals && totals.total_debit)), card("Total credit", money(totals && totals.total_credit)),
    card("Unique users", totals && totals.unique_users), card("Unique accounts", totals && totals.unique_accounts),
    card("Unique vendors", totals && totals.unique_vendors),
    card(byEntry ? "Flagged entries" : "Flagged transactions", flaggedTotal),
    card("Rule high-risk rows", anomalies.high_risk_transactions),
    card("Duplicate rows", duplicates.duplicates_found),
    card("High-risk rows (ensemble)", ensemble.anomalies_detected),
  );
}

function renderRejected(progress) {
  const ingest = progress && progress.step_details && progress.step_details.ingest;
  const reasons = (ingest && ingest.details && ingest.details.rejection_reasons) || [];
  $("rejected").hidden = reasons.length === 0;
  fillRows($("rejected").querySelector("tbody"), reasons.map((r) => [cell(r.reason), cell(r.rows, true)]));
}

function renderTrialBalance(trialBalance) {
  const check = $("tb-check");
  if (!trialBalance) { check.textContent = "No trial balance for this file."; return; }
  const balance = trialBalance.balance_check;
  check.replaceChildren(
    el("span", { class: balance.balanced ? "ok" : "bad", text: balance.balanced ? "Balanced" : "Not balanced" }),
    ` · debit ${money(balance.total_debit)} · credit ${money(balance.total_credit)} · difference ${money(balance.difference)}`,
  );
  fillRows($("tb-table").tBodies[0], trialBalance.accounts.items.map((a) => [
    cell(a.account), cell(a.account_name), moneyCell(a.debit), moneyCell(a.credit), moneyCell(a.net), cell(a.lines, true),
  ]));
}

function renderBenford(riskAssessment, chartData) {
  const test = riskAssessment && riskAssessment.benford && riskAssessment.benford.first_digit;
  const verdict = $("benford-verdict");
  const digits = chartData && chartData.benford_first_digit;
  if (!test || !digits) { verdict.textContent = "Too few amounts for the Benford test."; return; }
  const limits = Object.entries(test.mad_limits || {}).map(([label, limit]) => `${label} up to ${fmt(limit)}`);
  verdict.textContent = `${test.conformity} (MAD ${fmt(test.mad)} over ${fmt(test.n)} amounts`
    + `${limits.length ? `; MAD limits: ${limits.join(", ")}` : ""}; chi-square ${fmt(test.chi_square)}`
    + `${test.chi_square_exceeds_5pct ? ", above" : ", within"} the 5 % critical value ${fmt(test.chi_square_critical_5pct)})`;
  const x = digits.map((d) => String(d.digit));
  $("chart-benford").setAttribute("aria-label", `Chart of the share of amounts by first digit, observed vs expected. `
    + digits.map((d) => `${d.digit}: observed ${shareFormat.format(d.observed)}, expected ${shareFormat.format(d.expected)}`).join("; "));
  Plotly.newPlot("chart-benford", [
    { type: "bar", name: "observed", x, y: digits.map((d) => d.observed), marker: { color: "#1f5fbf" } },
    { type: "scatter", mode: "lines+markers", name: "expected (Benford)", x, y: digits.map((d) => d.expected), line: { color: "#b3261e" } },
  ], chartLayout({ margin: { t: 10, r: 10, b: 40, l: 50 }, yaxis: { tickformat: ".0%" }, legend: { orientation: "h" } }), chartConfig);
}

// A duplicate's member: its journal entry (with its first row and size) where the file numbers entries, else its row.
function memberName(member) {
  if (!member.je_number) return `row ${member.row_number}`;
  const lines = member.lines ? `, ${member.lines} line${member.lines === 1 ? "" : "s"}` : "";
  return `${member.je_number} (row ${member.row_number}${lines})`;
}

function renderDuplicates(riskAssessment) {
  const rows = [];
  const groupsByTest = (riskAssessment && riskAssessment.top_groups) || {};
  for (const [code, groups] of Object.entries(groupsByTest)) {
    for (const group of groups) {
      const members = group.members.map((m) => `${memberName(m)}: ${m.posting_date}, ${money(m.amount)}${m.flagged ? "" : " (kept)"}`);
      rows.push([cell(code), cell(group.group_id), cell(group.member_count, true), moneyCell(group.value_at_risk),
        el("td", {}, el("ul", { class: "reasons" }, ...members.map((m) => el("li", { text: m }))))]);
    }
  }
  fillRows($("dup-table").tBodies[0], rows);
  $("dup-empty").hidden = rows.length > 0;
}

function metricText(value) {
  if (Array.isArray(value)) return value.map(metricText).join(", ");
  if (value && typeof value === "object") return Object.entries(value).map(([k, v]) => `${k} ${metricText(v)}`).join(", ");
  if (typeof value === "boolean") return value ? "yes" : "no";
  return fmt(value);
}

// Each model's own metrics, key by key as the API names them.
function metricsCell(metrics) {
  const entries = Object.entries(metrics || {});
  if (!entries.length) return cell(null);
  return el("td", {}, el("ul", { class: "metrics" },
    ...entries.map(([key, value]) => el("li", { text: `${key.replaceAll("_", " ")}: ${metricText(value)}` }))));
}

function renderModels(models) {
  const ensemble = models.find((m) => m.model_type === "ensemble");
  const metrics = ensemble && ensemble.model_metrics;
  $("ml-agreement").textContent = metrics
    ? `Agreement between the models: mean pairwise Spearman ${fmt(metrics.mean_pairwise_spearman)}, `
      + `mean overlap of their top ${fmt(metrics.top_rows_compared)} rows ${fmt(metrics.mean_pairwise_top_overlap)}.`
    : "";
  fillRows($("ml-table").tBodies[0], models.map((m) => {
    const mode = m.detailed_results && m.detailed_results.mode;
    const note = m.error_message || (mode ? `mode: ${mode}` : "");
    return [cell(m.model_type), el("td", {}, statusBadge(m.processing_status)), cell(m.anomalies_detected, true),
      cell(m.risk_score, true), cell(m.confidence_score, true), cell(m.processing_duration, true),
      metricsCell(m.model_metrics), cell(note)];
  }));
}

// The flagged view lists journal entries where the file has them (its job stored entry scores), else lines.
const flagState = { fileId: null, jobId: null, offset: 0, total: 0, byEntry: false };

// A row the models mark high-risk may have no rule finding; its reasons are then the models' alone.
function flagReasons(transaction) {
  const reasons = (transaction.findings || []).map((f) => `${f.rule_code} (${f.severity}): ${f.reason}`);
  if (transaction.model_reasons) {
    reasons.push(`${reasons.length ? "Models" : "Models (no rule finding)"}: ${transaction.model_reasons}`);
  }
  return reasons.length ? reasons : ["No reason recorded"];
}

function flagQuery() {
  const query = new URLSearchParams({
    file_id: flagState.fileId, job_id: flagState.jobId, limit: FLAG_PAGE, offset: flagState.offset,
  });
  const rule = $("flag-rule").value;
  const minRisk = $("flag-min-risk").value;
  if (rule) query.set("rule", rule);
  if (minRisk && Number(minRisk) > 0) query.set("min_risk", minRisk);
  return query;
}

function showPage(total, noun) {
  flagState.total = total;
  const last = Math.min(flagState.offset + FLAG_PAGE, total);
  $("flag-count").textContent = `${fmt(total)} ${noun} match`;
  $("flag-page").textContent = total ? `${fmt(flagState.offset + 1)}–${fmt(last)} of ${fmt(total)}` : "";
  $("flag-prev").disabled = flagState.offset === 0;
  $("flag-next").disabled = last >= total;
  return total;
}

async function loadTransactions() {
  const answer = await api(`/api/flagged-transactions/?${flagQuery()}`);
  fillRows($("flag-table").tBodies[0], answer.transactions.map((t) => {
    const reasons = flagReasons(t);
    return [cell(t.row_number, true), cell(t.posting_date ? t.posting_date.slice(0, 10) : null), moneyCell(t.amount),
      cell(t.user), cell(t.vendor), cell(t.risk_score, true),
      el("td", {}, el("ul", { class: "reasons" }, ...reasons.map((r) => el("li", { text: r }))), ...verdictNote(t.verdict))];
  }));
  return showPage(answer.total, "flagged transactions");
}

const LINE_HEADINGS = [["Row", true], ["Transaction"], ["Account"], ["Debit", true], ["Credit", true], ["Vendor"],
  ["Description"], ["Risk", true], ["Rules"]];

// An entry's lines as a table of their own, under the entry's row.
function linesTable(entry) {
  const head = el("tr", {}, ...LINE_HEADINGS.map(([text, numeric]) =>
    el("th", { scope: "col", ...(numeric ? { class: "num" } : {}), text })));
  const rows = entry.lines.map((line) => el("tr", { class: line.rule_codes.length ? "flagged" : "" },
    cell(line.row_number, true), cell(line.transaction_id),
    cell(line.account_name ? `${line.account} ${line.account_name}` : line.account),
    moneyCell(line.debit), moneyCell(line.credit), cell(line.vendor), cell(line.description),
    cell(line.risk_score, true), cell(line.rule_codes.length ? line.rule_codes.join(", ") : "–")));
  const shown = entry.lines.length < entry.line_count
    ? `The ${fmt(entry.lines.length)} riskiest of its ${fmt(entry.line_count)} lines`
    : `Lines of ${entry.je_number}`;
  return el("table", { class: "lines" }, el("caption", { text: shown }), el("thead", {}, head), el("tbody", {}, ...rows));
}

function linesLabel(entry, open) {
  const count = entry.line_count === 1 ? "its line" : `its ${fmt(entry.line_count)} lines`;
  return `${entry.je_number}: ${open ? "hide" : "show"} ${count}`;
}

// The entry's row and, under it, a row with its lines, hidden until its button opens it.
function entryRows(entry, index) {
  const linesId = `entry-lines-${flagState.offset + index}`;
  const toggle = el("button", { type: "button", class: "toggle", "aria-expanded": "false", "aria-controls": linesId },
    el("span", { class: "marker", "aria-hidden": "true", text: "▸" }), ` ${entry.je_number}`);
  toggle.setAttribute("aria-label", linesLabel(entry, false));
  const lines = el("tr", { class: "entry-lines", id: linesId, hidden: "" }, el("td", { colspan: "7" }, linesTable(entry)));
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    toggle.setAttribute("aria-label", linesLabel(entry, open));
    toggle.querySelector(".marker").textContent = open ? "▾" : "▸";
    lines.hidden = !open;
  });
  const row = el("tr", { class: "entry" }, el("td", {}, toggle),
    el("td", { class: "date" }, entry.posting_date ? entry.posting_date.slice(0, 10) : null), cell(entry.line_count, true),
    moneyCell(entry.debit_total), moneyCell(entry.credit_total), cell(entry.risk_score, true),
    el("td", { class: "entry-reasons" }, entry.reason_text || "No reason recorded", ...verdictNote(entry.verdict)));
  return [row, lines];
}

async function loadEntries() {
  const answer = await api(`/api/flagged-entries/?${flagQuery()}`);
  $("entry-table").tBodies[0].replaceChildren(...answer.entries.flatMap(entryRows));
  return showPage(answer.total, "flagged entries");
}

const loadFlags = () => (flagState.byEntry ? loadEntries() : loadTransactions());

// Entries where the job stored entry scores (the file has journal entry numbers), else lines.
async function chooseFlagView() {
  const query = new URLSearchParams({ file_id: flagState.fileId, job_id: flagState.jobId, limit: 1 });
  const probe = await api(`/api/flagged-entries/?${query}`);
  flagState.byEntry = !probe.note;
  $("flags-title").textContent = flagState.byEntry ? "Flagged entries" : "Flagged transactions";
  $("flag-pager").setAttribute("aria-label", `${$("flags-title").textContent} pages`);
  $("entry-note").hidden = !flagState.byEntry;
  $("entry-wrap").hidden = !flagState.byEntry;
  $("flag-wrap").hidden = flagState.byEntry;
}

function setUpFlagControls(flagsByRule) {
  const select = $("flag-rule");
  // The counts are of lines; an entry view filters the entries that take part in the rule's findings.
  const label = (code, count) => (flagState.byEntry ? `${code} (${fmt(count)} lines)` : `${code} (${fmt(count)})`);
  select.replaceChildren(el("option", { value: "", text: "All rules" }),
    ...Object.entries(flagsByRule || {}).map(([code, count]) => el("option", { value: code, text: label(code, count) })));
  $("flag-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    flagState.offset = 0;
    loadFlags().catch((error) => showError(error.message));
  });
  $("flag-prev").addEventListener("click", () => {
    flagState.offset = Math.max(0, flagState.offset - FLAG_PAGE);
    loadFlags().catch((error) => showError(error.message));
  });
  $("flag-next").addEventListener("click", () => {
    flagState.offset += FLAG_PAGE;
    loadFlags().catch((error) => showError(error.message));
  });
}

const readDownload = (response) => (response.ok ? response.blob() : readJson(response));

// Downloads what `path?query` answers with as a file named by its Content-Disposition.
async function download(path, query, fallbackName) {
  const message = $("export-message");
  message.textContent = `Preparing ${fallbackName}…`;
  try {
    const { response, body } = await request(`${path}?${new URLSearchParams(query)}`, { timeoutMs: EXPORT_TIMEOUT_MS, read: readDownload });
    if (!response.ok) throw new Error((body && body.error) || `${response.status} ${response.statusText}`);
    const disposition = response.headers.get("Content-Disposition") || "";
    const match = /filename="([^"]+)"/.exec(disposition);
    const link = el("a", { href: URL.createObjectURL(body), download: match ? match[1] : fallbackName });
    document.body.append(link);
    link.click();
    link.remove();
    message.textContent = `Downloaded ${link.download}`;
  } catch (error) {
    message.textContent = `Export failed: ${error.message}`;
  }
}

function downloadButton(text, path, query, fallbackName) {
  const button = el("button", { type: "button", text });
  button.addEventListener("click", () => download(path, query, fallbackName));
  return button;
}

function setUpExports(fileId, jobId, byEntry) {
  const exports = (byEntry ? [...EXPORTS, ENTRY_EXPORT] : EXPORTS).flatMap(([what, label]) => ["csv", "xlsx"].map((format) =>
    downloadButton(`${label} (${format.toUpperCase()})`, "/api/exports/", { file_id: fileId, job_id: jobId, what, format }, `${what}.${format}`)));
  const reports = REPORTS.map(([format, label]) =>
    downloadButton(label, "/api/reports/", { file_id: fileId, job_id: jobId, format }, `report.${format}`));
  $("exports").replaceChildren(...exports, ...reports);
}

async function showFile(fileId) {
  $("file-view").hidden = false;
  let { processing_summary: summary } = await api(`/api/processing-results/?file_id=${encodeURIComponent(fileId)}`);
  $("file-title").textContent = summary.data_file.file_name;
  $("file-meta").textContent = `Received ${when(summary.data_file.created_at)} · job ${summary.job ? summary.job.id : "none"}`;
  document.title = `${summary.data_file.file_name} · FinTrace`;
  if (!summary.job) { $("file-meta").textContent += " · not processed yet"; return; }
  if (summary.job.status !== "COMPLETED") {
    $("file-progress").hidden = false;
    const progress = await watchProgress(summary.job.id, progressView("file"));
    if (!progress || progress.status !== "COMPLETED") return;
    $("file-progress").hidden = true;
    ({ processing_summary: summary } = await api(`/api/processing-results/?job_id=${encodeURIComponent(summary.job.id)}`));
  }
  const jobQuery = `file_id=${encodeURIComponent(fileId)}&job_id=${encodeURIComponent(summary.job.id)}`;
  const [analytics, models] = await Promise.all([
    api(`/api/analytics-results/?${jobQuery}&analytics_type=all`),
    api(`/api/ml-processing-results/?${jobQuery}&model_type=all`),
  ]);
  const detail = Object.fromEntries(analytics.results.map((r) => [r.analytics_type, r.detailed_results || {}]));
  const defaults = detail.default_analytics || {};
  const expense = detail.comprehensive_expense || {};
  const anomalies = detail.anomaly_detection || {};
  const duplicates = detail.duplicate_analysis || {};
  $("file-results").hidden = false;
  flagState.fileId = fileId;
  flagState.jobId = summary.job.id;
  await chooseFlagView();
  setUpFlagControls(summary.flags_by_rule);
  setUpExports(fileId, summary.job.id, flagState.byEntry);
  const flaggedTotal = await loadFlags();
  setUpReviewQueue(fileId, summary.job.id).catch((error) => showError(`Could not load the review queue: ${error.message}`));
  const trialBalance = defaults.trial_balance_data;
  renderCards(summary, trialBalance && trialBalance.totals, flaggedTotal, flagState.byEntry);
  renderRejected(summary.progress);
  renderTrialBalance(trialBalance);
  const charts = expense.chart_data || {};
  barChart("chart-category", charts.expense_by_category, "expenses by category");
  barChart("chart-vendor", charts.expense_by_vendor, "expenses by vendor");
  barChart("chart-month", charts.expense_by_month, "expenses by month");
  renderBenford(anomalies.risk_assessment, anomalies.chart_data);
  renderDuplicates(duplicates.risk_assessment);
  renderModels(models.results);
}

// ---- start -------------------------------------------------------------------------------------------

function start() {
  guardAgainstStrayDrops();
  const match = /^\/files\/([^/]+)\/?$/.exec(location.pathname);
  if (match) {
    showFile(decodeURIComponent(match[1])).catch((error) => showError(`Could not load this file: ${error.message}`));
  } else if (/^\/sources\//.test(location.pathname)) {
    // A source's page: history.js shows it.
  } else {
    $("list-view").hidden = false;
    setUpUpload();
    refreshFiles();
  }
}

start();
