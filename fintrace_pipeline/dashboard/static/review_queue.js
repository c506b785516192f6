// A file's review queue (GET /api/review-queue/): its flagged journal entries, or transactions where it
// has none, highest risk first; one item selected at a time, decided with a button or a key, with an
// optional comment, and recorded with POST /api/verdicts/. Every count shown is the server's, so a
// reload shows the same. Uses the helpers of app.js ($, api, el, fmt, money, when, setText, linesTable,
// flagReasons).
"use strict";

const REVIEW_PAGE = 20;
const VERDICT_NAMES = { confirmed: "Confirmed", cleared: "Cleared", follow_up: "Follow-up" };
const VERDICT_KEYS = { c: "confirmed", x: "cleared", f: "follow_up" };
const REVIEW_FILTERS = [["", "All"], ["unreviewed", "Unreviewed"], ["confirmed", "Confirmed"], ["cleared", "Cleared"],
  ["follow_up", "Follow-up"]];
const UNIT_NOUNS = { entry: ["entry", "entries"], transaction: ["transaction", "transactions"] };

const reviewState = {
  fileId: null, jobId: null, unit: "entry", review: "", offset: 0, total: 0, items: [], selected: 0,
  mayRecord: false, refusal: null, recording: false,
};

const itemName = (item) => (reviewState.unit === "entry" ? item.je_number : `row ${fmt(item.row_number)}`);
const itemDate = (item) => (item.posting_date ? item.posting_date.slice(0, 10) : "no date");

function itemAmount(item) {
  if (reviewState.unit === "entry") return `${money(item.debit_total)} debit`;
  return money(item.amount);
}

function itemReasons(item) {
  if (reviewState.unit === "entry") return [item.reason_text || "No reason recorded"];
  return flagReasons(item);
}

function verdictBadge(verdict) {
  if (!verdict) return el("span", { class: "verdict none", text: "Unreviewed" });
  return el("span", { class: `verdict ${verdict.verdict}`, text: VERDICT_NAMES[verdict.verdict] || verdict.verdict });
}

// Under a flagged row's or entry's reasons in the flagged view: the verdict that counts for it, if any.
function verdictNote(verdict) {
  if (!verdict) return [];
  const by = ` by ${verdict.reviewer}${verdict.comment ? `: “${verdict.comment}”` : ""}`;
  return [el("p", { class: "verdict-note" }, verdictBadge(verdict), by)];
}

// The panel, built once per file view and placed after the flagged view.
function buildReviewPanel() {
  const filter = el("select", { id: "review-filter" },
    ...REVIEW_FILTERS.map(([value, text]) => el("option", { value, text })));
  const buttons = Object.entries(VERDICT_KEYS).map(([key, verdict]) =>
    el("button", { type: "button", id: `review-${verdict}`, class: `record ${verdict}`, "data-verdict": verdict,
      "aria-keyshortcuts": key }, `${VERDICT_NAMES[verdict]} (${key})`));
  const panel = el("section", { class: "panel", id: "review", "aria-labelledby": "review-title" },
    el("h2", { id: "review-title", text: "Review queue" }),
    el("p", { id: "review-progress", role: "status" }),
    el("div", { class: "bar", id: "review-bar", role: "progressbar", "aria-labelledby": "review-progress",
      "aria-valuemin": "0", "aria-valuemax": "100" }, el("div", { class: "fill" })),
    el("p", { id: "review-readonly", class: "stall", hidden: "" }),
    el("div", { class: "filters" }, el("label", { for: "review-filter", text: "Show" }), filter),
    el("p", { id: "review-keys", class: "muted" },
      "Keys: ", el("kbd", {}, "j"), " / ", el("kbd", {}, "k"), " next / previous · ", el("kbd", {}, "c"),
      " confirmed · ", el("kbd", {}, "x"), " cleared · ", el("kbd", {}, "f"), " follow-up · ", el("kbd", {}, "/"),
      " comment (", el("kbd", {}, "Esc"), " leaves it)"),
    el("p", { id: "review-note", class: "muted", hidden: "" }),
    el("div", { class: "review-layout" },
      el("ol", { id: "review-items", class: "review-items", "aria-label": "Items to review, highest risk first" }),
      el("div", { id: "review-detail", class: "review-detail" },
        el("h3", { id: "review-item-title", tabindex: "-1" }),
        el("p", { id: "review-current" }),
        el("label", { for: "review-comment", text: "Comment (kept with the next verdict)" }),
        el("textarea", { id: "review-comment", rows: "2", maxlength: "2000" }),
        el("div", { class: "review-buttons" }, ...buttons),
        el("p", { id: "review-message", role: "status" }),
        el("p", { id: "review-error", class: "error", role: "alert", hidden: "" }),
        el("ul", { id: "review-reasons", class: "reasons" }),
        el("div", { id: "review-lines" }))),
    el("nav", { class: "pager", "aria-label": "Review queue pages" },
      el("button", { type: "button", id: "review-prev", text: "Previous" }),
      el("span", { id: "review-page" }),
      el("button", { type: "button", id: "review-next", text: "Next" })));
  $("flags-title").parentElement.after(panel);
  filter.addEventListener("change", () => {
    reviewState.review = filter.value;
    reviewState.offset = 0;
    loadReviewQueue(0).catch(showReviewError);
  });
  buttons.forEach((button) => button.addEventListener("click", () => recordVerdict(button.dataset.verdict)));
  $("review-prev").addEventListener("click", () => turnReviewPage(-1, 0).catch(showReviewError));
  $("review-next").addEventListener("click", () => turnReviewPage(1, 0).catch(showReviewError));
  $("review-comment").addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); $("review-comment").blur(); }
  });
  document.addEventListener("keydown", reviewKey);
}

function showReviewError(error) {
  const box = $("review-error");
  box.hidden = !error;
  setText(box, error ? (error.message || String(error)) : "");
}

function reviewQuery(extra = {}) {
  const query = new URLSearchParams({
    file_id: reviewState.fileId, job_id: reviewState.jobId, limit: REVIEW_PAGE, offset: reviewState.offset, ...extra,
  });
  if (reviewState.review) query.set("review", reviewState.review);
  return query;
}

function renderCounts(answer) {
  const { counts } = answer;
  const noun = UNIT_NOUNS[answer.unit][counts.queue === 1 ? 0 : 1];
  const byVerdict = Object.entries(VERDICT_NAMES).map(([name, label]) => `${fmt(counts[name])} ${label.toLowerCase()}`);
  setText($("review-progress"), `${fmt(counts.reviewed)} of ${fmt(counts.queue)} ${noun} reviewed · ${byVerdict.join(" · ")}`);
  const percent = counts.queue ? Math.round((counts.reviewed / counts.queue) * 1000) / 10 : 0;
  $("review-bar").querySelector(".fill").style.width = `${percent}%`;
  $("review-bar").setAttribute("aria-valuenow", String(percent));
  const counted = { "": counts.queue, unreviewed: counts.unreviewed, ...counts };
  for (const option of $("review-filter").options) {
    const [, label] = REVIEW_FILTERS.find(([value]) => value === option.value);
    option.textContent = `${label} (${fmt(counted[option.value])})`;
  }
}

function renderReviewPermission(answer) {
  reviewState.mayRecord = answer.may_record;
  reviewState.refusal = answer.record_refusal;
  const notice = $("review-readonly");
  notice.hidden = answer.may_record;
  setText(notice, answer.may_record ? "" : `Read-only: ${answer.record_refusal}.`);
  for (const button of document.querySelectorAll("#review .record")) {
    button.disabled = !answer.may_record;
    if (answer.may_record) button.removeAttribute("title");
    else button.title = answer.record_refusal;
  }
  $("review-comment").disabled = !answer.may_record;
}

function renderReviewItems() {
  const list = $("review-items");
  list.replaceChildren(...reviewState.items.map((item, index) => {
    const pick = el("button", { type: "button", class: "pick" },
      el("span", { class: "rank", text: `${fmt(reviewState.offset + index + 1)}.` }),
      el("span", { class: "name", text: itemName(item) }),
      el("span", { class: "risk", text: `risk ${fmt(item.risk_score)}` }),
      verdictBadge(item.verdict),
      el("span", { class: "summary", text: `${itemDate(item)} · ${itemAmount(item)} · ${itemReasons(item)[0]}` }));
    pick.addEventListener("click", () => selectReviewItem(index));
    return el("li", { class: "review-item", "data-index": String(index) }, pick);
  }));
  const empty = !reviewState.items.length;
  $("review-detail").hidden = empty;
  if (empty) {
    list.append(el("li", { class: "muted", text: reviewState.review ? "Nothing here with this filter." : "Nothing to review." }));
  }
}

function renderReviewDetail() {
  const item = reviewState.items[reviewState.selected];
  if (!item) return;
  document.querySelectorAll("#review-items .review-item").forEach((node, index) => {
    const selected = index === reviewState.selected;
    node.classList.toggle("selected", selected);
    if (selected) node.querySelector(".pick").setAttribute("aria-current", "true");
    else node.querySelector(".pick").removeAttribute("aria-current");
  });
  const size = reviewState.unit === "entry" ? ` · ${fmt(item.line_count)} line${item.line_count === 1 ? "" : "s"}` : "";
  setText($("review-item-title"), `${itemName(item)} · risk ${fmt(item.risk_score)} · ${itemDate(item)} · ${itemAmount(item)}${size}`);
  const verdict = item.verdict;
  $("review-current").replaceChildren(verdictBadge(verdict),
    verdict ? ` by ${verdict.reviewer}, ${when(verdict.recorded_at)}${verdict.comment ? `: “${verdict.comment}”` : ""}` : "");
  $("review-reasons").replaceChildren(...itemReasons(item).map((text) => el("li", { text })));
  if (reviewState.unit === "entry") {
    $("review-lines").replaceChildren(linesTable(item));
  } else {
    const facts = [["User", item.user], ["Vendor", item.vendor], ["Account", item.account], ["Description", item.description]];
    $("review-lines").replaceChildren(el("p", { class: "muted", text: facts.map(([k, v]) => `${k}: ${fmt(v)}`).join(" · ") }));
  }
  $("review-comment").value = verdict && verdict.comment ? verdict.comment : "";
  const node = document.querySelector(`#review-items .review-item[data-index="${reviewState.selected}"]`);
  if (node) keepInView($("review-items"), node);
}

// Scrolls the list (and only the list: the page stays where the person has it) to show the item.
function keepInView(list, node) {
  const box = list.getBoundingClientRect();
  const at = node.getBoundingClientRect();
  if (at.top < box.top) list.scrollTop -= box.top - at.top;
  else if (at.bottom > box.bottom) list.scrollTop += at.bottom - box.bottom;
}

function selectReviewItem(index) {
  reviewState.selected = index;
  renderReviewDetail();
}

// Loads a page of the queue and selects `select` on it (-1: its last item).
async function loadReviewQueue(select) {
  const answer = await api(`/api/review-queue/?${reviewQuery()}`);
  reviewState.unit = answer.unit;
  reviewState.total = answer.total;
  reviewState.items = answer.items;
  renderCounts(answer);
  renderReviewPermission(answer);
  const note = $("review-note");
  note.hidden = !answer.note;
  setText(note, answer.note || "");
  const noun = UNIT_NOUNS[answer.unit][1];
  setText($("review-title"), `Review queue: ${noun}`);
  const last = Math.min(reviewState.offset + REVIEW_PAGE, answer.total);
  setText($("review-page"), answer.total ? `${fmt(reviewState.offset + 1)}–${fmt(last)} of ${fmt(answer.total)}` : "");
  $("review-prev").disabled = reviewState.offset === 0;
  $("review-next").disabled = last >= answer.total;
  renderReviewItems();
  reviewState.selected = select < 0 ? Math.max(0, answer.items.length - 1) : Math.min(select, Math.max(0, answer.items.length - 1));
  renderReviewDetail();
  showReviewError(null);
}

async function turnReviewPage(step, select) {
  const offset = reviewState.offset + step * REVIEW_PAGE;
  if (offset < 0 || offset >= reviewState.total) return;
  reviewState.offset = offset;
  await loadReviewQueue(select);
}

// j / k: the next or previous item, across pages.
function moveReviewSelection(step) {
  const next = reviewState.selected + step;
  if (next >= 0 && next < reviewState.items.length) { selectReviewItem(next); return; }
  turnReviewPage(step, step > 0 ? 0 : -1).catch(showReviewError);
}

function verdictTarget(item) {
  return reviewState.unit === "entry" ? { je_number: item.je_number } : { row_number: item.row_number };
}

async function recordVerdict(verdict) {
  const item = reviewState.items[reviewState.selected];
  if (!item || reviewState.recording) return;
  if (!reviewState.mayRecord) { showReviewError(new Error(`Not recorded: ${reviewState.refusal}.`)); return; }
  reviewState.recording = true;
  const comment = $("review-comment").value.trim();
  const body = { file_id: reviewState.fileId, ...verdictTarget(item), verdict, ...(comment ? { comment } : {}) };
  let answer;
  try {
    answer = await api("/api/verdicts/", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
  } catch (error) {
    showReviewError(new Error(`Not recorded: ${error.message}`));
    reviewState.recording = false;
    return;
  }
  try {
    const [stored] = answer.verdicts;
    item.verdict = { verdict: stored.verdict, comment: stored.comment, reviewer: stored.reviewer, recorded_at: stored.recorded_at };
    setText($("review-message"), `${itemName(item)}: ${VERDICT_NAMES[verdict].toLowerCase()}${stored.comment ? ", with the comment" : ""}.`);
    showReviewError(null);
    // The item keeps its place on this page until the page is loaded again; the counts are the server's.
    const position = reviewState.selected;
    renderReviewItems();
    reviewState.selected = position;
    renderCounts(await api(`/api/review-queue/?${reviewQuery({ limit: 1, offset: 0 })}`));
    if (position + 1 < reviewState.items.length) selectReviewItem(position + 1);
    else if (reviewState.offset + REVIEW_PAGE < reviewState.total) await turnReviewPage(1, 0);
    else renderReviewDetail();
  } catch (error) {
    showReviewError(new Error(`Recorded, but the queue could not be brought up to date: ${error.message}`));
  } finally {
    reviewState.recording = false;
  }
}

function typingIn(target) {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

function reviewKey(event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return;
  if ($("review").hidden || !$("token-form").hidden || !reviewState.items.length) return;
  const key = event.key;
  if (key === "j" || key === "k") {
    event.preventDefault();
    moveReviewSelection(key === "j" ? 1 : -1);
  } else if (VERDICT_KEYS[key]) {
    event.preventDefault();
    recordVerdict(VERDICT_KEYS[key]);
  } else if (key === "/") {
    event.preventDefault();
    if (reviewState.mayRecord) $("review-comment").focus();
    else showReviewError(new Error(`Comments go with a verdict: ${reviewState.refusal}.`));
  }
}

async function setUpReviewQueue(fileId, jobId) {
  Object.assign(reviewState, { fileId, jobId, offset: 0, review: "", selected: 0 });
  if (!$("review")) buildReviewPanel();
  await loadReviewQueue(0);
}
