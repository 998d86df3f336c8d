// The console's only script; every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // The sign-in form sends the browser's time zone: pages show times in UTC and in it.
  for (const field of document.querySelectorAll("[data-browser-tz]")) {
    try {
      field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    } catch (e) {
      field.value = "UTC";
    }
  }
});

// An export being built: its progress, every second, until it is done (then reload).
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-export-poll]");
  if (!box) return;
  const bar = box.querySelector("[data-export-progress]");
  const text = box.querySelector("[data-export-text]");
  const tick = async () => {
    try {
      const response = await fetch(box.dataset.exportPoll, { credentials: "same-origin" });
      if (response.ok) {
        const info = await response.json();
        bar.max = info.total;
        bar.value = info.done;
        bar.textContent = `${info.done} of ${info.total}`;
        text.textContent = `${info.done} of ${info.total} envelopes done`;
        if (info.status === "done" || info.status === "failed") {
          window.location.reload();
          return;
        }
      }
    } catch (e) {
      // the next tick tries again
    }
    window.setTimeout(tick, 1000);
  };
  window.setTimeout(tick, 1000);
});
