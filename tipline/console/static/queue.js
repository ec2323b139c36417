// The queue refreshes itself: every few seconds it asks queue.json and redraws the rows.
// Text goes in with textContent only (never as HTML). Forms carry the page's CSRF token.
(function () {
  "use strict";
  var table = document.getElementById("queue");
  if (!table) { return; }
  var script = document.currentScript;
  var mayClaim = script && script.getAttribute("data-may-claim") === "yes";
  var url = table.getAttribute("data-poll-url");
  var seconds = parseInt(table.getAttribute("data-poll-seconds"), 10) || 4;
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var status = document.getElementById("queue-status");
  var body = table.querySelector("tbody");

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function render(items) {
    var focusedKey = null;
    if (document.activeElement && body.contains(document.activeElement)) {
      var owner = document.activeElement.closest("tr");
      focusedKey = owner ? owner.getAttribute("data-key") : null;
    }
    var rows = document.createDocumentFragment();
    if (items.length === 0) {
      var empty = document.createElement("tr");
      empty.className = "empty";
      var td = cell(empty, table.getAttribute("data-empty-label"));
      td.colSpan = 7;
      rows.appendChild(empty);
    }
    items.forEach(function (item) {
      var row = document.createElement("tr");
      row.setAttribute("data-key", item.key);
      row.className = "prio-" + item.priority;
      var first = cell(row, "");
      var badge = document.createElement("span");
      badge.className = "badge " + item.priority;
      badge.textContent = item.priority_label;
      first.appendChild(badge);
      var kind = cell(row, item.kind_label);
      if (item.case_id) {
        var number = document.createElement("span");
        number.className = "muted";
        number.textContent = " #" + item.case_id;
        kind.appendChild(number);
      }
      cell(row, item.categories.join(", "));
      cell(row, item.language.toUpperCase());
      cell(row, item.waited);
      cell(row, item.status_label + (item.assignee ? " — " + item.assignee : ""));
      var actions = cell(row, "");
      actions.className = "actions";
      if (item.url) {
        var link = document.createElement("a");
        link.href = item.url;
        link.textContent = table.getAttribute("data-open-label");
        actions.appendChild(link);
        actions.appendChild(document.createTextNode(" "));
      }
      if (item.claim_url && mayClaim) {
        var form = document.createElement("form");
        form.method = "post";
        form.action = item.claim_url;
        form.className = "inline";
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = "csrf_token";
        hidden.value = token;
        var button = document.createElement("button");
        button.type = "submit";
        button.textContent = table.getAttribute("data-claim-label");
        form.appendChild(hidden);
        form.appendChild(button);
        actions.appendChild(form);
      }
      rows.appendChild(row);
    });
    body.replaceChildren(rows);
    if (focusedKey) {
      var again = body.querySelector('tr[data-key="' + CSS.escape(focusedKey) + '"] a, tr[data-key="' + CSS.escape(focusedKey) + '"] button');
      if (again) { again.focus(); }
    }
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        if (!data) { return; }
        render(data.items);
        status.textContent = table.getAttribute("data-updated-label") + " " + new Date().toLocaleTimeString();
      })
      .catch(function () { status.textContent = table.getAttribute("data-offline-label"); })
      .finally(function () { window.setTimeout(poll, seconds * 1000); });
  }

  window.setTimeout(poll, seconds * 1000);
}());
