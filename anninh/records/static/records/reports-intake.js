/* Crime-report forms: keyboard autocomplete for the commune and the offence, and Ctrl+Enter
 * to save from the summary. No inline script (CSP): configuration comes from the json_script
 * block "reports-autocomplete-config".
 *
 * An input with data-autocomplete="commune" or "offence" becomes an ARIA combobox: typing
 * searches (folded, diacritics optional) through the API, Up/Down move in the list, Enter or
 * Tab picks, Escape closes. With the list closed, Enter submits the form as usual. Without
 * JavaScript the server still resolves what was typed (a code, an article or a name).
 */
(function () {
  "use strict";
  var cfgEl = document.getElementById("reports-autocomplete-config");
  if (!cfgEl) { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var counter = 0;

  function source(kind, q) {
    if (kind === "commune") {
      return fetch(cfg.communeUrl + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (rows) {
          return rows.slice(0, 12).map(function (c) { return c.code + " · " + c.name; });
        });
    }
    return fetch(cfg.offenceUrl + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (rows) {
        return rows.slice(0, 12).map(function (o) { return o.article + " · " + o.name; });
      });
  }

  function setup(input) {
    var kind = input.dataset.autocomplete;
    var list = document.createElement("ul");
    counter += 1;
    list.id = "combo-list-" + counter;
    list.className = "combo-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    input.parentNode.appendChild(list);
    var options = [];
    var active = -1;
    var timer = null;
    var lastQuery = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = list.querySelectorAll("li[role=option]");
      items.forEach(function (li, i) { li.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      }
    }

    function choose(index) {
      if (index < 0 || index >= options.length) { return; }
      input.value = options[index];
      lastQuery = input.value;
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function render(values) {
      options = values;
      list.textContent = "";
      if (!values.length) {
        var none = document.createElement("li");
        none.className = "none";
        none.textContent = cfg.labels.none;
        list.appendChild(none);
      }
      values.forEach(function (text, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.textContent = text;  // data, never HTML
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(values.length ? 0 : -1);
    }

    input.addEventListener("input", function () {
      var q = input.value.trim();
      clearTimeout(timer);
      if (!q || q === lastQuery) { close(); return; }
      timer = setTimeout(function () {
        source(kind, q).then(function (values) {
          if (document.activeElement === input) { render(values); }
        }).catch(close);
      }, 180);
    });

    input.addEventListener("keydown", function (e) {
      var open = !list.hidden && options.length > 0;
      if (e.key === "ArrowDown" && open) { e.preventDefault(); highlight(Math.min(active + 1, options.length - 1)); }
      else if (e.key === "ArrowUp" && open) { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (e.key === "Enter" && open && active >= 0) { e.preventDefault(); choose(active); }
      else if (e.key === "Tab" && open && active >= 0) { choose(active); }
      else if (e.key === "Escape" && !list.hidden) { e.preventDefault(); close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  document.querySelectorAll("input[data-autocomplete]").forEach(setup);

  // Ctrl+Enter (or Cmd+Enter) in a text area saves its form.
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target.tagName === "TEXTAREA" && e.target.form) {
      e.preventDefault();
      if (e.target.form.requestSubmit) { e.target.form.requestSubmit(); } else { e.target.form.submit(); }
    }
  });
})();
