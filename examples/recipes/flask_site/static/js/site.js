// The recipes' script: marks the page as scripted, nothing more.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  var footer = document.querySelector("footer");
  if (footer) {
    footer.setAttribute("data-loaded", new Date().toISOString());
  }
});
