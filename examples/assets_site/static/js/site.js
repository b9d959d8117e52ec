// A module script, loaded with SRI: it runs only if its bytes are the ones built.
document.documentElement.dataset.script = "ran";
