// appeal web: save each answer as soon as the person leaves its field, and show its problem beside it.
// The page works without this script (every answer is also saved with "Next"); it only adds the early save.
"use strict";
document.addEventListener("change", async (event) => {
  const input = event.target;
  const form = input.form;
  const box = input.closest("[data-key]");
  if (!form || form.dataset.autosave !== "yes" || !box || input.name !== box.dataset.key) return;
  const body = new FormData();
  body.append("csrf", form.elements.csrf.value);
  body.append("key", box.dataset.key);
  body.append("value", input.value);
  let result;
  try {
    const response = await fetch("/autosave", { method: "POST", body, credentials: "same-origin" });
    result = await response.json();
  } catch (error) {
    return; // the page's own "Next" still saves it
  }
  const message = document.getElementById(box.dataset.field + "-error");
  if (message) message.textContent = result.error || "";
  for (const field of box.querySelectorAll("input, textarea")) {
    if (field.name === box.dataset.key) {
      if (result.error) field.setAttribute("aria-invalid", "true"); else field.removeAttribute("aria-invalid");
    }
  }
  const saved = form.querySelector(".saved");
  if (saved && result.saved) saved.textContent = "Saved.";
});
