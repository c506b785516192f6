// A job's progress over Server-Sent Events (GET /api/processing-progress/stream), read with fetch so the
// request carries the same Authorization header as every other call (EventSource cannot send one).
"use strict";

// Calls onProgress(progress) for every event; resolves with the last progress once the server ends the
// stream, or null when the stream could not be opened or dropped, so the caller can fall back to polling.
async function streamProgress(jobId, headers, onProgress) {
  let last = null;
  try {
    const response = await fetch(`/api/processing-progress/stream?job_id=${encodeURIComponent(jobId)}`, {
      headers: { Accept: "text/event-stream", ...headers },
    });
    if (!response.ok || !response.body) return null;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return last;
      buffered += value.replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffered.indexOf("\n\n")) >= 0) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const data = block.split("\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trimStart());
        const isProgress = block.split("\n").some((line) => line.replace(/\s/g, "") === "event:progress");
        if (isProgress && data.length) {
          last = JSON.parse(data.join("\n"));
          onProgress(last);
        }
      }
    }
  } catch (error) {
    return null;
  }
}
