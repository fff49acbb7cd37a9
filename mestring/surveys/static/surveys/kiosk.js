// Kiosk mode: after an answer, go back to a blank form after a visible countdown that can be stopped
// (WCAG 2.2.1: the user can turn the time limit off). The thank-you page replaces itself in the history, so
// Back does not lead the next person to the previous one's answers; a form page the browser restores from its
// back/forward cache is emptied and fetched again.
// A kiosk form left half-filled (or showing an error) is emptied after a time without input: the last seconds
// count down visibly ("Trykk hvor som helst for å fortsette"), any touch or key continues, and at zero the
// blank start page replaces it. Nothing is submitted.
(function () {
  "use strict";
  var idle = document.querySelector("[data-kiosk-idle]");
  if (!idle) { return; }
  var form = document.querySelector("form[data-blank-on-restore]");
  var warning = idle.querySelector("[data-idle-warning]");
  var counter = idle.querySelector("[data-idle-countdown]");
  var live = idle.querySelector("[data-idle-live]");
  var armed = idle.hasAttribute("data-armed");  // the page shows an error: someone was here
  var last = Date.now();
  var announced = null;
  function hideWarning() {
    if (warning && !warning.hidden) { warning.hidden = true; }
    if (live && live.textContent) { live.textContent = ""; }
    announced = null;
  }
  function activity() { last = Date.now(); hideWarning(); }
  ["pointerdown", "keydown", "touchstart", "wheel", "scroll"].forEach(function (name) {
    document.addEventListener(name, activity, { passive: true, capture: true });
  });
  ["input", "change"].forEach(function (name) {
    document.addEventListener(name, function () { armed = true; activity(); }, true);
  });
  setInterval(function () {
    if (!armed) { return; }
    // Read each time, so a test (or a later page script) may shorten them.
    var limit = parseInt(idle.dataset.idleSeconds || "180", 10);
    var warnFrom = parseInt(idle.dataset.warningSeconds || "30", 10);
    var left = limit - Math.floor((Date.now() - last) / 1000);
    if (left <= 0) {
      armed = false;
      if (form) { form.reset(); }
      window.location.replace(idle.dataset.idleUrl);
      return;
    }
    if (left > warnFrom) { hideWarning(); return; }
    if (counter) { counter.textContent = String(left); }
    if (warning) { warning.hidden = false; }
    // Announce when the warning appears and every 10 seconds after, not every second.
    if (live && (announced === null || (left % 10 === 0 && left !== announced))) {
      announced = left;
      live.textContent = warning ? warning.textContent.replace(/\s+/g, " ").trim() : "";
    }
  }, 250);
})();

(function () {
  "use strict";
  window.addEventListener("pageshow", function (event) {
    var form = document.querySelector("form[data-blank-on-restore]");
    if (form && event.persisted) { form.reset(); window.location.reload(); }
  });
  var box = document.querySelector("[data-kiosk-url]");
  if (!box) { return; }
  var seconds = parseInt(box.dataset.seconds || "15", 10);
  var counter = box.querySelector("[data-countdown]");
  var stop = box.querySelector("[data-stop]");
  var timer = setInterval(function () {
    seconds -= 1;
    if (counter) { counter.textContent = String(seconds); }
    if (seconds <= 0) { clearInterval(timer); window.location.replace(box.dataset.kioskUrl); }
  }, 1000);
  if (stop) {
    stop.hidden = false;
    stop.addEventListener("click", function () { clearInterval(timer); box.querySelector("[data-auto]").hidden = true; stop.hidden = true; });
  }
})();
