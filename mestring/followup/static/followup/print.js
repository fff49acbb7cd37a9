// "Skriv ut" buttons (data-print): shown only when this script runs, print the page (the print styles hide
// the site header, footer and .actions).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
