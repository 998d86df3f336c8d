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
