// Workspace pages: copy a secret shown once, and show API timestamps in the browser's time zone.
(function () {
  "use strict";

  var formatter = new Intl.DateTimeFormat("es", { dateStyle: "medium", timeStyle: "short" });

  function localize(root) {
    root.querySelectorAll("time[datetime]").forEach(function (node) {
      var at = new Date(node.getAttribute("datetime"));
      if (!isNaN(at.getTime())) {
        node.textContent = formatter.format(at);
        node.title = node.getAttribute("datetime");
      }
    });
  }

  function announce(button, text) {
    var status = button.parentElement.querySelector("[data-copy-status]");
    if (status) {
      status.textContent = text;
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) {
      return;
    }
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) {
      return;
    }
    source.select();
    var done = function () {
      button.textContent = "Copiado";
      announce(button, "Copiado al portapapeles.");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(done, function () {
        announce(button, "No se pudo copiar: el texto está seleccionado, cópielo con Ctrl+C.");
      });
    } else {
      announce(button, "Texto seleccionado: cópielo con Ctrl+C.");
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    localize(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    localize(event.target);
  });
})();
