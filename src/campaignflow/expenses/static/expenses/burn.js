// Draws the burn-rate figure the server prepared (JSON in a <script type="application/json">) with
// the plotly.min.js that the plotly package ships, served by the execution app (no CDN).
(function () {
  "use strict";
  function draw() {
    var chart = document.getElementById("burn-chart");
    if (!chart || !window.Plotly) { return; }
    var figure = JSON.parse(document.getElementById(chart.dataset.figure).textContent);
    window.Plotly.newPlot(chart, figure.data, figure.layout, { responsive: true, displaylogo: false });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
