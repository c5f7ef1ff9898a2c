// CampaignFlow's only script besides htmx: tiny progressive enhancements.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    // <select data-autosubmit> (the language switcher) submits its form on change.
    if (event.target.matches("[data-autosubmit]")) {
      event.target.form.requestSubmit();
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
