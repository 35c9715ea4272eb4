// Filters for the gap-engine report. Without script the form stays hidden and every finding is shown.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) {
    return;
  }
  var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
  var count = document.getElementById("filter-count");
  var note = document.getElementById("filter-note");
  var findings = Array.prototype.slice.call(document.querySelectorAll("article[data-finding]"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-group]")).reverse(); // innermost first
  // The matrix: cells, headers and rows that name a jurisdiction, theme or severity follow those filters.
  var scoped = Array.prototype.slice.call(document.querySelectorAll("table.matrix [data-scope], .rule-key [data-scope]"));
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.matrix tr[data-row]"));
  var bodies = Array.prototype.slice.call(document.querySelectorAll("table.matrix tbody[data-theme]"));
  var groupHeads = Array.prototype.slice.call(document.querySelectorAll("table.matrix th[data-colgroup-theme]"));

  // The sentences come from the form's data-* attributes, written in the report's language: this script is the
  // same in every language (its hash is in the Content-Security-Policy), only the page's words change.
  function say(name, values) {
    return form.getAttribute("data-" + name).replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function wanted() {
    var want = {};
    selects.forEach(function (select) {
      want[select.name] = select.value;
    });
    return want;
  }

  // An element is filtered only on the keys it carries.
  function matches(want, element, keys) {
    return keys.every(function (key) {
      var value = element.getAttribute("data-" + key);
      return !want[key] || value === null || value === want[key];
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
    scoped.forEach(function (element) {
      element.hidden = !matches(want, element, ["jurisdiction", "theme", "severity"]);
    });
    rows.forEach(function (row) {
      var cells = Array.prototype.slice.call(row.querySelectorAll("td[data-status]:not([hidden])"));
      var statusOk = !want.status || cells.some(function (cell) {
        return cell.getAttribute("data-status") === want.status;
      });
      row.hidden = row.hidden || !statusOk;
    });
    bodies.forEach(function (body) {
      body.hidden = !body.querySelector("tr[data-row]:not([hidden])");
    });
    groupHeads.forEach(function (head) {
      var theme = head.getAttribute("data-colgroup-theme");
      var visible = Array.prototype.slice.call(head.closest("table").querySelectorAll("th[data-col]")).filter(function (col) {
        return !col.hidden && col.getAttribute("data-theme") === theme;
      }).length;
      head.hidden = visible === 0;
      head.colSpan = Math.max(visible, 1);
    });
    count.textContent = say("showing", { shown: shown, total: findings.length });
    // Printed after filtering, the document says so: a reader of the PDF must not take a selection for the whole.
    var active = selects.filter(function (select) {
      return select.value;
    }).map(function (select) {
      return say("pair", { label: select.labels[0].textContent, value: select.options[select.selectedIndex].textContent });
    });
    note.hidden = active.length === 0;
    note.textContent = active.length ? say("filtered", { filters: active.join("; "), shown: shown, total: findings.length }) : "";
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
