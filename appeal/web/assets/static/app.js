// appeal web: save each answer as soon as the person leaves its field, and show its problem beside it; and the
// signature box of the letter page (draw with a mouse, a pen or a finger).
// Its words are the page's own (data-* attributes, in the page's language).
// The pages work without this script (every answer is also saved with "Next"; a signature can be a photo or
// signed by hand); it only adds the early save and the drawing.
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
    const response = await fetch("/autosave" + new URL(form.getAttribute("action"), location.href).search, { method: "POST", body, credentials: "same-origin" });
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
  if (saved && result.saved) saved.textContent = saved.dataset.said; // "Saved." in the page's language
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

// The signature box: pointer events cover the mouse, a pen and touch alike. Each stroke ends by putting the
// drawing, as a PNG, in the form's hidden "drawn" field; "Clear" empties both.
function signaturePad() {
  const canvas = document.getElementById("signature-pad");
  if (!canvas) return;
  const field = document.getElementById("signature-drawn");
  const state = document.getElementById("signature-state");
  const pen = canvas.getContext("2d");
  pen.lineWidth = 3;
  pen.lineCap = "round";
  pen.lineJoin = "round";
  pen.strokeStyle = "#102030";
  let drawing = false;
  const at = (event) => {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
  };
  canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    pen.beginPath();
    pen.moveTo(...at(event));
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    pen.lineTo(...at(event));
    pen.stroke();
    event.preventDefault();
  });
  const finish = () => {
    if (!drawing) return;
    drawing = false;
    field.value = canvas.toDataURL("image/png");
    state.textContent = state.dataset.signed;
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  document.getElementById("signature-clear").addEventListener("click", () => {
    pen.clearRect(0, 0, canvas.width, canvas.height);
    field.value = "";
    state.textContent = state.dataset.cleared;
  });
  canvas.closest(".signature-pad").hidden = false;
}
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", signaturePad);
else signaturePad();
