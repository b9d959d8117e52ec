// The demo page's script: proves it was loaded and run by changing the page.
(function () {
  "use strict";

  function ready() {
    var status = document.getElementById("status");
    status.textContent = "The script ran.";
    status.classList.add("ran");
    document.documentElement.dataset.script = "ran";
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
