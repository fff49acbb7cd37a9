// Kiosk mode: after an answer, go back to a blank form after a visible countdown that can be stopped
// (WCAG 2.2.1: the user can turn the time limit off). The thank-you page replaces itself in the history, so
// Back does not lead the next person to the previous one's answers; a form page the browser restores from its
// back/forward cache is emptied and fetched again.
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
