// Fetches this site's own files again and shows how pinknoise answered.
"use strict";

const urls = ["css/site.css", "js/app.js", "img/logo.svg", "about/"];

async function describe(url) {
  const response = await fetch(url, { cache: "no-store" });
  const header = (name) => response.headers.get(name) || "—";
  return [url, response.status, header("Content-Encoding"), header("Cache-Control"), header("ETag")];
}

async function main() {
  const body = document.getElementById("headers");
  const rows = await Promise.all(urls.map(describe));
  body.replaceChildren(
    ...rows.map((cells) => {
      const row = document.createElement("tr");
      for (const cell of cells) {
        const td = document.createElement("td");
        td.textContent = String(cell);
        row.append(td);
      }
      return row;
    }),
  );
  document.body.dataset.ready = "true";
}

main().catch((error) => {
  document.getElementById("headers").textContent = String(error);
});
