// The file list's page and search: which page of GET /api/files/ to show (`search` matches a part of
// a file's name or source) and the pager under the table. Uses the helpers of app.js ($, fmt,
// refreshFiles); app.js asks `fileListQuery()` what to load and reports the total to `showFilePage`.
"use strict";

const FILE_PAGE = 50;
const SEARCH_PAUSE_MS = 300;  // a search starts once typing pauses
const fileList = { offset: 0, search: "", total: 0 };

function fileListQuery() {
  const query = new URLSearchParams({ limit: FILE_PAGE, offset: fileList.offset });
  if (fileList.search) query.set("search", fileList.search);
  return query;
}

function showFilePage(total, shown) {
  fileList.total = total;
  const last = fileList.offset + shown;
  $("files-page").textContent = total ? `${fmt(fileList.offset + 1)}–${fmt(last)} of ${fmt(total)}` : "";
  $("files-prev").disabled = fileList.offset === 0;
  $("files-next").disabled = last >= total;
  $("files-empty").textContent = fileList.search ? `No file name or source contains “${fileList.search}”.` : "No files yet.";
}

function setUpFileList() {
  let pause = null;
  $("files-search").addEventListener("input", (event) => {
    clearTimeout(pause);
    pause = setTimeout(() => {
      fileList.search = event.target.value.trim();
      fileList.offset = 0;
      refreshFiles();
    }, SEARCH_PAUSE_MS);
  });
  $("files-prev").addEventListener("click", () => {
    fileList.offset = Math.max(0, fileList.offset - FILE_PAGE);
    refreshFiles();
  });
  $("files-next").addEventListener("click", () => {
    fileList.offset += FILE_PAGE;
    refreshFiles();
  });
}

document.addEventListener("DOMContentLoaded", setUpFileList);
