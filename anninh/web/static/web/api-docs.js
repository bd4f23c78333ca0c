/* Starts the vendored Swagger UI on /api/docs (no inline script: CSP). Calls made from the
   page carry the session's CSRF token, as the application's own forms do. */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("swagger-settings").textContent);
  const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  config.requestInterceptor = function (req) {
    if (headers["X-CSRFToken"]) { req.headers["X-CSRFToken"] = headers["X-CSRFToken"]; }
    return req;
  };
  window.SwaggerUIBundle(config);
})();
