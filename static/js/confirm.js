/* Ask before an irreversible action: a form with data-confirm="question" submits only
   after 确定 in the dialog, then carries confirmed=1 (the server asks on a page otherwise). */
(function () {
  "use strict";
  var dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  var message = dialog.querySelector("[data-confirm-message]");
  var pending = null;

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (!question || form.getAttribute("data-confirmed") === "1") { return; }
    event.preventDefault();
    pending = { form: form, submitter: event.submitter || null };
    message.textContent = question;
    dialog.returnValue = "";
    dialog.showModal();
  });

  dialog.addEventListener("close", function () {
    var chosen = pending;
    pending = null;
    if (!chosen || dialog.returnValue !== "ok") { return; }
    var form = chosen.form;
    var input = form.querySelector('input[name="confirmed"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "confirmed";
      form.appendChild(input);
    }
    input.value = "1";
    form.setAttribute("data-confirmed", "1");
    if (chosen.submitter && form.requestSubmit) { form.requestSubmit(chosen.submitter); }
    else { form.submit(); }
  });
})();
