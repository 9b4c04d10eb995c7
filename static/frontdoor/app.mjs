// Front Door's JavaScript: GOV.UK Frontend's components, and the warning before a
// signed-in session times out. Every page works without it.
import { initAll } from "../build/govuk-frontend.min.js";

initAll();

// Questions that only apply after a particular answer ("Organisation" after "Yes"): shown
// and hidden as the answer changes. Unlike GOV.UK Frontend's own conditional reveal this
// sets no aria-expanded, which ARIA does not allow on a radio button. Without JavaScript
// every question is shown.
function conditionalReveals() {
  const triggers = document.querySelectorAll("input[data-fd-reveals]");
  const groups = new Set([...triggers].map((input) => input.name));
  for (const name of groups) {
    const radios = document.querySelectorAll(`input[name="${CSS.escape(name)}"]`);
    const sync = () => {
      for (const radio of radios) {
        const target = radio.dataset.fdReveals && document.getElementById(radio.dataset.fdReveals);
        if (target) target.classList.toggle("govuk-radios__conditional--hidden", !radio.checked);
      }
    };
    radios.forEach((radio) => radio.addEventListener("change", sync));
    sync();
  }
}

conditionalReveals();

// Questions asked only after a particular answer to an earlier one (a form definition's
// show_if): hidden until then. Without JavaScript every question is shown, and the server
// ignores answers to questions that do not apply.
function showIf() {
  const dependents = document.querySelectorAll("[data-show-if]");
  for (const dependent of dependents) {
    const inputs = document.querySelectorAll(`[name="${CSS.escape(dependent.dataset.showIf)}"]`);
    const wanted = dependent.dataset.showIfValues.split(" ");
    const sync = () => {
      const answers = [...inputs]
        .filter((input) => !["radio", "checkbox"].includes(input.type) || input.checked)
        .map((input) => input.value);
      dependent.hidden = !answers.some((answer) => wanted.includes(answer));
    };
    inputs.forEach((input) => input.addEventListener("change", sync));
    sync();
  }
}

showIf();

function sessionWarning() {
  const body = document.body;
  const dialog = document.getElementById("timeout-dialog");
  if (!body.dataset.sessionIdleMinutes || !dialog || !dialog.showModal) return;
  const warningSeconds = Number(body.dataset.sessionWarningMinutes) * 60;
  const statusUrl = body.dataset.sessionStatusUrl;
  const signedOutUrl = body.dataset.signedOutUrl;
  const minutesText = dialog.querySelector("[data-timeout-minutes]");
  let timer;

  // Asking the server how long is left never extends the session, so several tabs
  // agree: whichever was used last decides.
  async function check() {
    let left;
    try {
      const response = await fetch(statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      left = (await response.json()).seconds_left;
    } catch {
      schedule(60);
      return;
    }
    if (left <= 0) {
      window.location.assign(signedOutUrl);
    } else if (left <= warningSeconds) {
      const minutes = Math.max(1, Math.ceil(left / 60));
      minutesText.textContent = minutes === 1 ? "1 minute" : `${minutes} minutes`;
      if (!dialog.open) dialog.showModal();
      schedule(Math.min(left + 2, 30));
    } else {
      if (dialog.open) dialog.close();
      schedule(left - warningSeconds);
    }
  }

  function schedule(seconds) {
    clearTimeout(timer);
    timer = setTimeout(check, Math.max(1, seconds) * 1000);
  }

  const stay = dialog.querySelector("[data-timeout-stay]");
  stay.addEventListener("click", async (event) => {
    event.preventDefault();
    const form = stay.form;
    await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    dialog.close();
    check();
  });

  schedule(Number(body.dataset.sessionIdleMinutes) * 60 - warningSeconds);
}

sessionWarning();

// Sections save themselves as the person types (at most every 30 seconds), so a time-out
// or a closed tab loses nothing already typed. Without JavaScript, "Save and continue"
// does the same job.
function autosave() {
  const form = document.querySelector("form[data-autosave]");
  if (!form) return;
  const revision = form.querySelector("input[name=revision]");
  let dirty = false;
  let stopped = false;
  form.addEventListener("input", () => {
    dirty = true;
  });
  form.addEventListener("change", () => {
    dirty = true;
  });
  form.addEventListener("submit", () => {
    stopped = true;
  });
  setInterval(async () => {
    if (!dirty || stopped) return;
    dirty = false;
    try {
      const response = await fetch(form.action || window.location.href, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Autosave": "1", Accept: "application/json" },
        credentials: "same-origin",
        redirect: "error",
      });
      const result = await response.json();
      if (response.ok && result.saved) {
        revision.value = result.revision;
      } else {
        stopped = true; // changed in another tab: the person's own save will say so
      }
    } catch {
      dirty = true; // offline or signed out: try again next time
    }
  }, 30000);
}

autosave();
