// Copy buttons of the Links tab: <button data-copy="text">. Works for rows swapped in by htmx.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button || !navigator.clipboard) return;
  navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
    var label = button.textContent;
    button.textContent = "✓";
    setTimeout(function () { button.textContent = label; }, 1200);
  });
});
