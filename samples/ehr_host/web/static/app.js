// Progressive enhancement only: every page works without this file.
// A drop-down marked "autosubmit" submits its form when changed, so that choosing a patient, a
// chart or a role shows its details at once; without JavaScript the button next to it does that.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select.autosubmit")) {
    select.addEventListener("change", () => {
      const form = select.form;
      const show = form.querySelector('button[value="show"]');
      if (show) form.requestSubmit(show);
      else form.requestSubmit();
    });
  }
});
