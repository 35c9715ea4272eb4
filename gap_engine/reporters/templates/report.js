// Filters for the gap-engine report. Without script the form stays hidden and every finding is shown.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) {
    return;
  }
  var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
  var count = document.getElementById("filter-count");
  var findings = Array.prototype.slice.call(document.querySelectorAll("article[data-finding]"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-group]")).reverse(); // innermost first
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.matrix tr[data-rule]"));
  var bodies = Array.prototype.slice.call(document.querySelectorAll("table.matrix tbody[data-theme]"));
  var columns = Array.prototype.slice.call(document.querySelectorAll("table.matrix [data-jurisdiction]"));

  function wanted() {
    var want = {};
    selects.forEach(function (select) {
      want[select.name] = select.value;
    });
    return want;
  }

  function matches(want, element, keys) {
    return keys.every(function (key) {
      return !want[key] || element.getAttribute("data-" + key) === want[key];
    });
  }

  function apply() {
    var want = wanted();
    var shown = 0;
    findings.forEach(function (finding) {
      var visible = matches(want, finding, ["status", "severity", "theme", "jurisdiction"]);
      finding.hidden = !visible;
      if (visible) {
        shown += 1;
      }
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector("article[data-finding]:not([hidden])");
    });
    columns.forEach(function (cell) {
      cell.hidden = !matches(want, cell, ["jurisdiction"]);
    });
    rows.forEach(function (row) {
      var cells = Array.prototype.slice.call(row.querySelectorAll("td[data-status]:not([hidden])"));
      var statusOk = !want.status || cells.some(function (cell) {
        return cell.getAttribute("data-status") === want.status;
      });
      row.hidden = !(statusOk && matches(want, row, ["theme", "severity"]));
    });
    bodies.forEach(function (body) {
      body.hidden = !body.querySelector("tr[data-rule]:not([hidden])");
    });
    count.textContent = "Showing " + shown + " of " + findings.length + " findings.";
  }

  selects.forEach(function (select) {
    select.addEventListener("change", apply);
  });
  form.addEventListener("reset", function () {
    window.setTimeout(apply, 0); // after the browser has reset the selects
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  form.hidden = false;
  apply();
})();
