// Refresh the booking form's "taken slots" list when the day changes (works without it too:
// the page shows the chosen day's slots, and "看其他日期" reloads with ?day=).
(function () {
  "use strict";
  var box = document.getElementById("day-schedule");
  var inputs = [document.getElementById("day"), document.getElementById("look-day")];
  if (!box || !window.fetch) { return; }
  var lanes = parseInt(box.dataset.lanes || "1", 10);
  function hhmm(iso) { return iso.slice(11, 16); }
  function show(day, results) {
    box.querySelector("[data-role='day']").textContent = day;
    var list = box.querySelector("[data-role='slots']");
    list.textContent = "";
    if (!results.length) {
      var empty = document.createElement("li");
      empty.className = "text-muted";
      empty.textContent = "当天暂无已确认的预约。";
      list.appendChild(empty);
      return;
    }
    results.forEach(function (item) {
      var row = document.createElement("li");
      row.textContent = hhmm(item.starts_at) + "–" + hhmm(item.ends_at) +
        (lanes > 1 ? "（" + item.quantity + " 个）" : "");
      list.appendChild(row);
    });
  }
  function refresh(event) {
    var day = event.target.value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) { return; }
    fetch("/api/v1/offers/" + box.dataset.offer + "/bookings?date=" + day)
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (data) { if (data) { show(data.date, data.results); } })
      .catch(function () { /* the list keeps the last day shown */ });
  }
  inputs.forEach(function (input) {
    if (input) { input.addEventListener("change", refresh); }
  });
}());
