/* The field page: the map of today's checkpoints and patrols, and the buttons that record a
 * check-in, a patrol done or a report into the outbox (queue.js), with the phone's time and
 * position taken when the officer pressed the button. */
(function () {
  "use strict";
  var root = document.querySelector("[data-field]");
  if (!root || !window.FieldQueue) { return; }
  var data = JSON.parse(document.getElementById("field-data").textContent);
  var Q = window.FieldQueue;
  function t(name) {
    var tpl = document.getElementById("field-texts");
    var el = tpl && tpl.content.querySelector('[data-t="' + name + '"]');
    return el ? el.textContent : name;
  }

  if ("serviceWorker" in navigator && data.urls.sw) {
    navigator.serviceWorker.register(data.urls.sw, { scope: data.urls.scope }).catch(function () {});
  }

  // Map: the commune's polygon, checkpoints (squares) and patrol stops (circles).
  var el = document.querySelector("[data-field-map]");
  if (el && window.L && data.commune) {
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
    if (window.anninhTiles) { window.anninhTiles(map); }
    var shape = L.geoJSON(data.commune, { style: { color: "#0b4f8a", weight: 2, fillOpacity: 0.05 } }).addTo(map);
    map.fitBounds(shape.getBounds(), { padding: [8, 8] });
    data.plans.forEach(function (p) {
      p.checkpoints.forEach(function (c) {
        L.marker([c.lat, c.lon], { title: c.name, keyboard: true }).addTo(map).bindPopup(c.rank + ". " + c.name);
      });
      p.patrols.forEach(function (a) {
        L.circleMarker([a.lat, a.lon], { radius: 7, color: a.done ? "#2e7d32" : "#c62828", fillOpacity: 0.6 })
          .addTo(map).bindPopup(a.team + "/" + a.order);
      });
    });
  }

  function position() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) { resolve(null); return; }
      navigator.geolocation.getCurrentPosition(
        function (p) { resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy }); },
        function () { resolve(null); },
        { enableHighAccuracy: true, timeout: 5000, maximumAge: 60000 }
      );
    });
  }

  root.addEventListener("click", function (e) {
    var b = e.target.closest("[data-checkin],[data-done]");
    if (!b) { return; }
    var at = new Date().toISOString();
    b.disabled = true;
    position().then(function (pos) {
      var item;
      if (b.dataset.checkin) {
        item = { kind: "checkin", url: data.urls.checkin, label: b.dataset.label,
          json: JSON.stringify({ checkpoint: Number(b.dataset.checkin), at: at,
            lat: pos && pos.lat, lon: pos && pos.lon, accuracy: pos && pos.accuracy }) };
      } else {
        item = { kind: "done", url: data.urls.done, label: b.dataset.label,
          json: JSON.stringify({ assignment: Number(b.dataset.done), at: at }) };
      }
      return Q.add(item);
    }).then(function () { b.disabled = false; }, function () { b.disabled = false; });
  });

  var form = root.querySelector("[data-report-form]");
  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = form.elements.text.value.trim();
      if (!text) { form.elements.text.focus(); return; }
      var file = form.elements.photo.files[0] || null, at = new Date().toISOString();
      position().then(function (pos) {
        return Q.add({ kind: "report", url: data.urls.report, label: text.slice(0, 40), fileName: file ? file.name : "",
          form: { text: text, at: at, lat: pos ? String(pos.lat) : "", lon: pos ? String(pos.lon) : "", photo: file } });
      }).then(function () { form.reset(); });
    });
  }

  var net = root.querySelector("[data-net]"), count = root.querySelector("[data-queue-count]"), log = root.querySelector("[data-log]");
  function render() {
    net.textContent = Q.status.signin ? t("signin") : (Q.status.offline || !navigator.onLine ? t("offline") : t("online"));
    net.className = "field-net" + (Q.status.offline || !navigator.onLine ? " offline" : "");
    Q.all("queue").then(function (items) {
      count.textContent = t("waiting") + " " + items.length;
      count.dataset.waiting = items.length;
      return Q.all("log").then(function (done) {
        var rows = items.map(function (i) { return { kind: i.kind, label: i.label, created: i.created, state: "queued" }; })
          .concat(done).sort(function (a, b) { return a.created < b.created ? 1 : -1; }).slice(0, 30);
        log.textContent = "";
        rows.forEach(function (r) {
          var li = document.createElement("li");
          li.dataset.state = r.state;
          li.className = "log-" + r.state;
          var when = new Date(r.created);
          li.textContent = t(r.kind) + " · " + (r.label || "") + " · " +
            when.toLocaleTimeString(document.documentElement.lang === "en" ? "en-GB" : "vi-VN", { hour: "2-digit", minute: "2-digit" }) +
            " · " + t(r.state) + (r.answer && r.answer.msg ? ": " + r.answer.msg : "");
          log.appendChild(li);
        });
      });
    });
  }
  Q.onChange(render);
  render();
  Q.flush();
})();
