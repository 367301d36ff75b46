// The farm pages' script (the CSP allows no inline one): the browser's time zone for the
// server, drag-to-zoom on the readings' charts, and a poll that waits while a note is typed.
// A new window is a page load (the form's GET), so the address, Back and a reload all keep it.
"use strict";

(function () {
  var zone = "UTC";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch (e) {
    /* an old browser: the pages say they show UTC */
  }
  // Pages rendered without `tz` (the nodes' times, the first chart) read this cookie.
  document.cookie = "console_tz=" + encodeURIComponent(zone) + "; path=/console/; SameSite=Lax";

  function chartForm() {
    return document.getElementById("chart-form");
  }

  // A chart drawn in another zone (the first visit, before the cookie) is asked again in this
  // one, once per page: a zone the server does not know stays UTC rather than asking forever.
  function followZone() {
    var region = document.getElementById("chart-region");
    var form = chartForm();
    if (!region || !form || region.dataset.tz === zone) return;
    if (new URLSearchParams(window.location.search).get("tz") === zone) return; // asked already
    form.elements.tz.value = zone;
    form.submit();
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  // What a datetime-local input holds: the browser's wall clock (the charts' zone).
  function localInput(ms) {
    var d = new Date(ms);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
      pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function zoomable(svg) {
    var x0 = parseFloat(svg.dataset.x0), x1 = parseFloat(svg.dataset.x1);
    var start = parseFloat(svg.dataset.start), end = parseFloat(svg.dataset.end);
    var selection = svg.querySelector(".chart-selection");
    var from = null;

    function viewX(event) {
      var box = svg.getBoundingClientRect();
      var width = svg.viewBox.baseVal.width;
      var x = ((event.clientX - box.left) / box.width) * width;
      return Math.min(x1, Math.max(x0, x));
    }

    function draw(a, b) {
      selection.setAttribute("x", Math.min(a, b));
      selection.setAttribute("width", Math.abs(b - a));
    }

    svg.addEventListener("pointerdown", function (event) {
      from = viewX(event);
      svg.setPointerCapture(event.pointerId);
      draw(from, from);
    });
    svg.addEventListener("pointermove", function (event) {
      if (from !== null) draw(from, viewX(event));
    });
    svg.addEventListener("pointerup", function (event) {
      if (from === null) return;
      var to = viewX(event), a = Math.min(from, to), b = Math.max(from, to);
      from = null;
      draw(0, 0);
      if (b - a < 4) return; // a click, not a drag
      var time = function (x) { return start + ((x - x0) / (x1 - x0)) * (end - start); };
      var form = chartForm();
      if (!form) return;
      form.elements.ventana.value = "";
      form.elements.desde.value = localInput(time(a));
      // To the minute, outwards: the last minute dragged over stays in the window.
      form.elements.hasta.value = localInput(Math.max(time(b), time(a) + 10 * 60 * 1000) + 59999);
      form.elements.bucket.value = "";
      form.submit();
    });
  }


  // Polls skip a hidden tab (each costs one call of the user's API rate limit), and a poll of
  // the alerts would replace a note being typed: they wait for the next tick.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.elt;
    if (!target || (target.id !== "alerts" && target.id !== "suggestions")) return;
    if (event.detail.requestConfig.verb !== "get") return;
    if (document.hidden) {
      event.preventDefault();
      return;
    }
    if (target.id !== "alerts") return;
    var active = document.activeElement;
    if (active && target.contains(active) && active.tagName === "INPUT" && active.value) {
      event.preventDefault();
    }
  });

  // A page showing times in another zone (rendered before the cookie existed) is loaded
  // again, once: the cookie now names the browser's zone.
  function reloadInZone() {
    var marked = document.querySelector("[data-farm-zone]");
    if (!marked || marked.dataset.farmZone === zone) return;
    var key = "console_tz_reloaded:" + window.location.pathname;
    try {
      if (window.sessionStorage.getItem(key) === zone) return; // the server does not know it
      window.sessionStorage.setItem(key, zone);
    } catch (e) {
      return;
    }
    window.location.reload();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("svg.chart-svg").forEach(zoomable);
    followZone();
    reloadInZone();
  });
})();
