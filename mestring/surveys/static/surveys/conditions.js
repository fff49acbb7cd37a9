// Shows and hides questions with a condition as the respondent answers. The server checks the same rules on
// save, so without JavaScript everything still works (hidden answers are simply dropped).
(function () {
  "use strict";
  function values(form, name) {
    var out = [];
    form.querySelectorAll('[name="q-' + name + '"]').forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") ? input.checked : input.value) { out.push(input.value); }
    });
    return out;
  }
  function update(form) {
    var changed = true, guard = 0;
    while (changed && guard++ < 20) {
      changed = false;
      form.querySelectorAll("[data-condition-question]").forEach(function (el) {
        var parent = form.querySelector('[data-question="' + el.dataset.conditionQuestion + '"]');
        var wanted = el.dataset.conditionValues.split(",");
        var shown = (!parent || !parent.hidden) && values(form, el.dataset.conditionQuestion).some(function (v) { return wanted.indexOf(v) >= 0; });
        if (el.hidden === shown) { el.hidden = !shown; changed = true; }
      });
    }
  }
  document.querySelectorAll("form.survey-form").forEach(function (form) {
    form.addEventListener("change", function () { update(form); });
    update(form);
  });
})();
