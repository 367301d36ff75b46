// The console's one script of its own (the CSP allows no inline script): the CSRF header on
// every htmx request, and `consoleLive`, the live-update helper every page uses.
"use strict";

(function () {
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrfToken();
  });

  var LABELS = {
    connecting: "Conectando…",
    open: "Conectado",
    reconnecting: "Reconectando…",
    closed: "Sin conexión",
  };

  function showState(state) {
    var area = document.getElementById("live-status");
    if (!area) return;
    area.dataset.state = state;
    area.textContent = LABELS[state] || "";
  }

  // consoleLive(url, {onEvent, onState}): an EventSource on one of the console's live routes
  // (a relay of the platform's WebSocket or SSE stream). It shows "Conectado / Reconectando… /
  // Sin conexión" in #live-status, so a page is never silently stale. The browser resumes with
  // Last-Event-ID by itself after a drop; a relay that ends for a revoked token sends the event
  // `signed-out`, and the page goes to the login. `onEvent(type, data, event)` gets each event
  // (data parsed as JSON when it is JSON); named events are listed in `events` (default: the
  // unnamed "message" only). Returns {close()}.
  function consoleLive(url, options) {
    options = options || {};
    var events = options.events || [];
    var source = null;
    var stopped = false;

    function setState(state) {
      showState(state);
      if (options.onState) options.onState(state);
    }

    function deliver(type) {
      return function (event) {
        var data = event.data;
        try {
          data = JSON.parse(event.data);
        } catch (e) {
          /* plain text */
        }
        if (options.onEvent) options.onEvent(type, data, event);
      };
    }

    function open() {
      source = new EventSource(url, { withCredentials: true });
      source.onopen = function () {
        setState("open");
      };
      source.onerror = function () {
        if (stopped) return;
        // CONNECTING: the browser retries by itself (with Last-Event-ID); CLOSED: it gave up
        // (the relay answered an error status), so this helper retries after a pause.
        if (source.readyState === EventSource.CLOSED) {
          setState("closed");
          window.setTimeout(function () {
            if (!stopped) open();
          }, options.retryMs || 5000);
        } else {
          setState("reconnecting");
        }
      };
      source.onmessage = deliver("message");
      events.forEach(function (name) {
        source.addEventListener(name, deliver(name));
      });
      source.addEventListener("signed-out", function () {
        stopped = true;
        source.close();
        setState("closed");
        window.location.assign("/console/login/");
      });
    }

    window.addEventListener("offline", function () {
      if (!stopped) setState("closed");
    });
    setState("connecting");
    open();
    return {
      close: function () {
        stopped = true;
        if (source) source.close();
        setState("closed");
      },
    };
  }

  window.consoleLive = consoleLive;
  window.consoleCsrfToken = csrfToken;
})();
