// The upload's first step: what the server would make of the chosen file (POST /api/files/preview),
// with a source column per canonical column that the person may change; "Process" then uploads the
// file with the columns chosen here. Uses the helpers of app.js ($, api, el, fmt, setText, upload).
"use strict";

const PREVIEW_TIMEOUT_MS = 5 * 60 * 1000;
const DATE_ORDERS = { dmy: "day/month/year", mdy: "month/day/year", iso: "year-month-day" };
const DECIDED_BY = { user: "your choice", header: "by its header", content: "by its values" };
const DELIMITERS = { "\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe" };
// Answers after which uploading would be refused just the same.
const REFUSED = new Set([413, 415]);
const NOT_MAPPED = "";

// `choices` holds only what the person changed (canonical -> source column, "" for not mapped): the
// rest is left to the server's guess, exactly as the preview shows it.
const previewState = { file: null, choices: {}, sequence: 0, headersKey: null, rows: new Map() };

function describeFormat(preview) {
  const parts = [preview.file_format.toUpperCase()];
  if (preview.compression) parts.push(preview.compression);
  if (preview.encoding) parts.push(preview.encoding);
  if (preview.delimiter) parts.push(`${DELIMITERS[preview.delimiter] || `“${preview.delimiter}”`}-separated`);
  if (preview.sheet_name) parts.push(`sheet “${preview.sheet_name}”`);
  parts.push(`header on row ${fmt(preview.header_row)}`);
  if (preview.date_format) parts.push(`dates ${DATE_ORDERS[preview.date_format] || preview.date_format}`);
  parts.push(`${fmt(preview.rows_sampled)} rows looked at`);
  return parts.join(" · ");
}

function sampleText(value) {
  if (typeof value === "string") return value.endsWith("T00:00:00") ? value.slice(0, -9) : value;
  return fmt(value);
}

function sourceSelect(canonical, headers) {
  const select = el("select", { id: `map-${canonical}`, "aria-label": `Source column for ${canonical}` },
    el("option", { value: NOT_MAPPED, text: "not mapped" }),
    ...headers.map((header) => el("option", { value: header, text: header })));
  select.addEventListener("change", () => {
    previewState.choices[canonical] = select.value;
    refreshPreview();
  });
  return select;
}

// One row per canonical column, built once per file (per header row) so that a re-preview changes the
// cells in place and the keyboard focus stays on the select the person used.
function buildPreviewRows(preview) {
  previewState.rows = new Map();
  const rows = preview.mappable_columns.map((canonical) => {
    const row = {
      name: el("th", { scope: "row" }, canonical),
      select: sourceSelect(canonical, preview.headers),
      confidence: el("td", { class: "num" }),
      decided: el("td"),
      samples: el("ul", { class: "samples" }),
    };
    previewState.rows.set(canonical, row);
    return el("tr", {}, row.name, el("td", {}, row.select), row.confidence, row.decided, el("td", {}, row.samples));
  });
  $("preview-table").tBodies[0].replaceChildren(...rows);
}

function fillPreviewRows(preview) {
  const columns = new Map(preview.columns.map((column) => [column.canonical, column]));
  for (const [canonical, row] of previewState.rows) {
    const column = columns.get(canonical);
    const missing = preview.missing.includes(canonical);
    row.name.replaceChildren(canonical, ...(missing ? [el("span", { class: "required", text: " (required, missing)" })] : []));
    row.name.parentElement.className = missing ? "missing" : column ? "mapped" : "";
    row.select.value = column ? column.column : NOT_MAPPED;
    setText(row.confidence, column ? column.confidence.toFixed(2) : "–");
    const runnerUp = column && column.runner_up ? `; close: “${column.runner_up.column}” (${column.runner_up.confidence.toFixed(2)})` : "";
    setText(row.decided, column ? `${DECIDED_BY[column.decided_by] || column.decided_by}${runnerUp}` : "");
    row.samples.replaceChildren(...(column ? column.samples : []).map((value) => el("li", { text: sampleText(value) })));
  }
}

function showPreview(preview) {
  setText($("preview-format"), describeFormat(preview));
  const headersKey = JSON.stringify([preview.headers, preview.mappable_columns]);
  if (headersKey !== previewState.headersKey) {
    previewState.headersKey = headersKey;
    buildPreviewRows(preview);
  }
  fillPreviewRows(preview);
  $("preview-wrap").hidden = false;
  const problem = $("preview-problem");
  problem.hidden = !preview.problem;
  const choose = `Choose a source column below for ${preview.missing.join(" and ")}.`;
  setText(problem, preview.problem ? `Cannot be loaded as it is: ${preview.problem} ${choose}` : "");
  setText($("preview-unmapped"), preview.unmapped_columns.length
    ? `Not used: ${preview.unmapped_columns.map((h) => `“${h}”`).join(", ")}` : "Every column of the file is used.");
  const notes = [...preview.warnings, ...preview.notes];
  $("preview-warnings").hidden = !notes.length;
  $("preview-warnings").querySelector("ul").replaceChildren(...notes.map((text) => el("li", { text })));
}

// Before any preview of the file: nothing to show but the reason. Later (a changed column): the
// columns stay, so the person can change them again.
function showPreviewError(error, first) {
  const problem = $("preview-problem");
  problem.hidden = false;
  if (!first) {
    setText(problem, `The preview could not be updated: ${error.message}`);
    return;
  }
  $("preview-wrap").hidden = true;
  $("preview-warnings").hidden = true;
  const refused = REFUSED.has(error.status);
  let text = `The preview failed (${error.message}); the file can still be processed.`;
  if (refused) text = `This file cannot be uploaded: ${error.message}`;
  else if (error.status === 400) text = `This file cannot be read: ${error.message}. Processing it records the failure with this reason.`;
  setText(problem, text);
  $("process-file").disabled = refused;
}

// Asks for the preview with the current choices; an answer overtaken by a later request is dropped.
async function refreshPreview() {
  const sequence = ++previewState.sequence;
  const first = !previewState.headersKey;
  setText($("preview-status"), first ? "Reading the file…" : "Updating the preview…");
  const form = new FormData();
  form.append("file", previewState.file, previewState.file.name);
  if (Object.keys(previewState.choices).length) form.append("mapping", JSON.stringify(previewState.choices));
  try {
    const preview = await api("/api/files/preview", { method: "POST", body: form, timeoutMs: PREVIEW_TIMEOUT_MS });
    if (sequence !== previewState.sequence) return;
    showPreview(preview);
    $("process-file").disabled = false;
    const missing = preview.missing.length
      ? `required columns missing: ${preview.missing.join(", ")}` : "every required column is mapped";
    setText($("preview-status"), `${first ? "Preview ready" : "Preview updated"}: ${missing}.`);
  } catch (error) {
    if (sequence !== previewState.sequence) return;
    setText($("preview-status"), "");
    showPreviewError(error, first);
  }
}

// A chosen or dropped file: its preview, and nothing uploaded until "Process".
function previewUpload(file) {
  Object.assign(previewState, { file, choices: {}, headersKey: null, rows: new Map() });
  $("preview-table").tBodies[0].replaceChildren();
  $("preview").hidden = false;
  $("preview-name").textContent = file.name;
  $("preview-wrap").hidden = true;
  $("preview-problem").hidden = true;
  $("preview-warnings").hidden = true;
  setText($("preview-format"), "");
  setText($("preview-unmapped"), "");
  $("process-file").disabled = true;
  $("preview-title").focus();
  refreshPreview();
}

function closePreview() {
  previewState.sequence += 1;  // an answer still on its way is not shown
  previewState.file = null;
  $("preview").hidden = true;
}

// Either button hides the preview it sits in, so the focus goes back to the file chooser.
function setUpPreview() {
  $("process-file").addEventListener("click", () => {
    const { file, choices } = previewState;
    closePreview();
    $("choose-file").focus();
    upload(file, choices);
  });
  $("cancel-preview").addEventListener("click", () => {
    closePreview();
    $("choose-file").focus();
  });
}
