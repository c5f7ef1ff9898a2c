// Draws the dashboard's figures, prepared by the server as JSON in <script id="metrics-figures">,
// into the elements with the same ids, with the plotly.min.js of the installed plotly package.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("metrics-figures");
    if (!source || !window.Plotly) { return; }
    var figures = JSON.parse(source.textContent);
    Object.keys(figures).forEach(function (id) {
      var element = document.getElementById(id);
      if (element) {
        window.Plotly.newPlot(element, figures[id].data, figures[id].layout, { responsive: true, displaylogo: false });
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
