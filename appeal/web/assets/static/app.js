// appeal web: save each answer as soon as the person leaves its field, and show its problem beside it.
// The page works without this script (every answer is also saved with "Next"); it only adds the early save.
// The saves go one after another, and the page is sent only once they are done: arrow keys through a list of
// choices change it at every step, and a save still on its way after "Next" would put back a choice passed over.
"use strict";
let saving = Promise.resolve();
let unsaved = 0;

async function save(form, box, value) {
  const body = new FormData();
  body.append("csrf", form.elements.csrf.value);
  body.append("key", box.dataset.key);
  body.append("value", value);
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
}

document.addEventListener("change", (event) => {
  const input = event.target;
  const form = input.form;
  const box = input.closest("[data-key]");
  if (!form || form.dataset.autosave !== "yes" || !box || input.name !== box.dataset.key) return;
  const value = input.value;
  unsaved += 1;
  saving = saving.then(() => save(form, box, value)).catch(() => undefined).finally(() => { unsaved -= 1; });
});

document.addEventListener("submit", (event) => {
  if (!unsaved) return;
  event.preventDefault(); // sent again, with the same button, once the saves before it are done
  const form = event.target;
  const button = event.submitter;
  saving.then(() => form.requestSubmit(button && button.form === form ? button : undefined));
});
