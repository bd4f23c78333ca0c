/* The request form's small script (the form works without it):
   - solves the proof of work (from the first touch of the form): finds a nonce so that SHA-256(challenge + ":" + nonce) starts
     with `bits` zero bits (anninh/requests/protection.py checks it), and then hides the
     anti-spam sum meant for browsers without script;
   - offers "use my position" (fills the hidden lat/lon fields).
   SHA-256 is written out here (crypto.subtle exists only on https pages). */
(function () {
  "use strict";
  var K = [0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,
    0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,
    0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,
    0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,
    0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,
    0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,
    0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,
    0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2];
  function utf8(s) { return unescape(encodeURIComponent(s)); }
  function sha256first(s) { /* returns the first 32-bit word of the digest (enough to count zero bits up to 32) and the second */
    s = utf8(s);
    var n = s.length, words = [], i, j;
    for (i = 0; i < n; i++) words[i >> 2] |= (s.charCodeAt(i) & 0xff) << (24 - (i % 4) * 8);
    words[n >> 2] |= 0x80 << (24 - (n % 4) * 8);
    var total = ((n + 8) >> 6) * 16 + 16;
    for (i = words.length; i < total; i++) words[i] = words[i] | 0;
    words[total - 1] = n * 8;
    var h = [0x6a09e667,0xbb67ae85,0x3c6ef372,0xa54ff53a,0x510e527f,0x9b05688c,0x1f83d9ab,0x5be0cd19];
    var w = new Array(64);
    for (i = 0; i < total; i += 16) {
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
      for (j = 0; j < 64; j++) {
        if (j < 16) w[j] = words[i + j] | 0;
        else {
          var x = w[j - 15], y = w[j - 2];
          var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
          var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
          w[j] = (w[j - 16] + s0 + w[j - 7] + s1) | 0;
        }
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var ch = (e & f) ^ (~e & g);
        var t1 = (hh + S1 + ch + K[j] + w[j]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & b) ^ (a & c) ^ (b & c);
        var t2 = (S0 + maj) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
    }
    return h;
  }
  function zeroBits(h) {
    var bits = 0;
    for (var i = 0; i < 8; i++) {
      var v = h[i] >>> 0;
      if (v === 0) { bits += 32; continue; }
      return bits + Math.clz32(v);
    }
    return bits;
  }
  var script = document.currentScript;
  var bits = parseInt(script.getAttribute("data-bits"), 10) || 14;
  var form = document.getElementById("request-form");
  if (!form) return;
  var token = form.querySelector("[name=challenge]").value;
  var nonceField = form.querySelector("[name=nonce]");
  var question = document.getElementById("check-question");
  var status = document.getElementById("pow-status");
  var solved = false, started = false, nonce = 0;
  /* Short slices (8 ms, 32 ms on a phone four times slower) so that the page never stops
     answering a tap while the work goes on; it starts when the person first touches the form
     (reading the page costs nothing), and the whole work takes well under a second. */
  function work() {
    var end = Date.now() + 8;
    while (Date.now() < end) {
      if (zeroBits(sha256first(token + ":" + nonce)) >= bits) { solved = true; nonceField.value = String(nonce); return; }
      nonce++;
    }
    setTimeout(work, 0);
  }
  function start() {
    if (started) return;
    started = true;
    work();
  }
  if (question) question.hidden = true;
  ["focusin", "input", "pointerdown", "keydown"].forEach(function (type) {
    form.addEventListener(type, start, { passive: true });
  });
  form.addEventListener("submit", function (event) {
    if (solved || (event.submitter && event.submitter.name === "check")) return;
    event.preventDefault();
    start();
    if (status) status.textContent = script.getAttribute("data-working");
    var wait = setInterval(function () { if (solved) { clearInterval(wait); form.submit(); } }, 100);
  });
  var locate = document.getElementById("use-location");
  if (locate && navigator.geolocation) {
    locate.parentNode.hidden = false;
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(6);
        form.querySelector("[name=lon]").value = pos.coords.longitude.toFixed(6);
        document.getElementById("location-status").textContent = "✓";
      });
    });
  }
})();
