/* The field page's outbox: every submission is stored in IndexedDB first, with its own
 * Idempotency-Key, then sent; what cannot be sent now (no connection, server busy) stays and
 * is sent when the connection is back. The server makes each key once, so a flush that runs
 * twice (or an answer lost on the way back) never makes a second record. A conflict or a
 * refusal is kept in the log and shown: nothing is dropped silently. */
(function () {
  "use strict";
  var DB = "anninh-field", VERSION = 1, dbPromise = null;

  function open() {
    if (dbPromise) { return dbPromise; }
    dbPromise = new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, VERSION);
      req.onupgradeneeded = function () {
        var db = req.result;
        if (!db.objectStoreNames.contains("queue")) { db.createObjectStore("queue", { keyPath: "key" }); }
        if (!db.objectStoreNames.contains("log")) { db.createObjectStore("log", { keyPath: "key" }); }
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
    return dbPromise;
  }

  function tx(store, mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode), s = t.objectStore(store), out;
        out = fn(s);
        t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  function all(store) { return tx(store, "readonly", function (s) { return s.getAll(); }); }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "k" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) { return decodeURIComponent(m[1]); }
    var h = document.body.getAttribute("hx-headers");
    try { return JSON.parse(h)["X-CSRFToken"]; } catch (e) { return ""; }
  }

  var listeners = [], flushing = false;

  function changed() { listeners.forEach(function (fn) { fn(); }); }

  function add(item) {
    item.key = item.key || newKey();
    item.created = item.created || new Date().toISOString();
    return tx("queue", "readwrite", function (s) { return s.put(item); }).then(function () {
      changed();
      flush();
      return item;
    });
  }

  function request(item) {
    var headers = { "Idempotency-Key": item.key, "X-CSRFToken": csrf() }, body;
    if (item.form) {
      body = new FormData();
      Object.keys(item.form).forEach(function (k) {
        var v = item.form[k];
        if (v === null || v === undefined) { return; }
        if (v instanceof Blob) { body.append(k, v, item.fileName || "photo"); } else { body.append(k, v); }
      });
    } else {
      headers["Content-Type"] = "application/json";
      body = item.json;
    }
    return fetch(item.url, { method: "POST", headers: headers, body: body, credentials: "same-origin" });
  }

  function settle(item, state, answer) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(["queue", "log"], "readwrite");
        t.objectStore("queue").delete(item.key);
        t.objectStore("log").put({
          key: item.key, kind: item.kind, label: item.label, created: item.created,
          state: state, answer: answer, settled: new Date().toISOString()
        });
        t.oncomplete = function () { resolve(); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  var status = { offline: !navigator.onLine, signin: false };

  function flush() {
    if (flushing) { return Promise.resolve(); }
    flushing = true;
    return all("queue").then(function (items) {
      items.sort(function (a, b) { return a.created < b.created ? -1 : 1; });
      var chain = Promise.resolve(true);
      items.forEach(function (item) {
        chain = chain.then(function (go) {
          if (!go) { return false; }
          return request(item).then(function (resp) {
            status.offline = false;
            if (resp.status === 401 || resp.status === 403) { status.signin = true; return false; }
            if (resp.status >= 500 || resp.status === 429) { return false; }  // busy: later
            status.signin = false;
            return resp.json().catch(function () { return {}; }).then(function (answer) {
              var state = resp.ok ? "sent" : (resp.status === 409 ? "conflict" : "refused");
              return settle(item, state, answer).then(function () { return true; });
            });
          }, function () { status.offline = true; return false; });
        });
      });
      return chain;
    }).then(function () { flushing = false; changed(); }, function () { flushing = false; changed(); });
  }

  window.addEventListener("online", function () { status.offline = false; changed(); flush(); });
  window.addEventListener("offline", function () { status.offline = true; changed(); });
  setInterval(function () { if (navigator.onLine) { flush(); } }, 30000);

  window.FieldQueue = {
    add: add, flush: flush, all: all, status: status,
    onChange: function (fn) { listeners.push(fn); }
  };
})();
