/* A deployment's own base map (ANNINH_TILE_URL, issue #13 item 7): none by default, so maps
   draw the commune polygons on a plain background and need no network. When the deployment
   names a tile server, every map calls anninhTiles(map) and gets its streets underneath. */
(function () {
  "use strict";
  window.anninhTiles = function (map) {
    var meta = document.querySelector('meta[name="anninh-tile-url"]');
    if (!meta || !meta.content || !window.L) { return null; }
    var layer = window.L.tileLayer(meta.content, {
      maxZoom: 19,
      attribution: meta.getAttribute("data-attribution") || "",
    });
    if (!map.attributionControl) { window.L.control.attribution({ prefix: false }).addTo(map); }
    layer.addTo(map);
    layer.bringToBack();
    map.getContainer().classList.add("has-tiles");
    return layer;
  };
})();
