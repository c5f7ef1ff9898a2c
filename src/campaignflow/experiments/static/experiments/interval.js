// Draws the uplift-interval chart, prepared by the server as JSON in <script id="experiment-figure">,
// with the plotly.min.js of the installed plotly package (no CDN).
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("experiment-figure");
    var element = document.getElementById("chart-interval");
    if (!source || !element || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(element, figure.data, figure.layout, { responsive: true, displaylogo: false });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
