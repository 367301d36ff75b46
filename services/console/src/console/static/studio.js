// The bot studio's playground: asks through the console, then follows the answer's events
// (thinking, tool calls and results, message, done) from the console's SSE relay. The browser's
// EventSource resumes a dropped stream by itself with Last-Event-ID (the API's event id).
(function () {
  "use strict";

  var form = document.querySelector("form[data-studio-ask]");
  if (!form) return;
  var transcript = document.getElementById("transcript");
  var conversation = form.querySelector("input[name=conversation_id]");
  var problem = document.getElementById("ask-problem");

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function brief(value) {
    var text = typeof value === "string" ? value : JSON.stringify(value);
    return text.length > 600 ? text.slice(0, 600) + "…" : text;
  }

  async function post(url, body) {
    var response = await fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf(), Accept: "application/json" },
    });
    if (response.redirected) {
      // A session that ended: the console sent the request to its login page.
      window.location.assign(response.url);
      return { ok: false, body: {} };
    }
    var answer = {};
    try {
      answer = await response.json();
    } catch (error) {
      answer = { message: "La consola no respondió (" + response.status + ")." };
    }
    return { ok: response.ok, body: answer };
  }

  function say(message) {
    problem.textContent = message || "";
    problem.hidden = !message;
  }

  function answerItem() {
    var item = el("li", "turn turn-assistant");
    item.setAttribute("aria-busy", "true");
    item.appendChild(el("h3", "turn-who", "Agente"));
    var steps = el("ol", "steps");
    steps.setAttribute("aria-label", "Pasos");
    item.appendChild(steps);
    var message = el("p", "message");
    item.appendChild(message);
    var status = el("p", "turn-status", "Respondiendo…");
    item.appendChild(status);
    transcript.appendChild(item);
    return { item: item, steps: steps, message: message, status: status };
  }

  function step(view, kind, label, detail) {
    var li = el("li", "step step-" + kind);
    li.appendChild(el("strong", null, label));
    if (detail !== undefined && detail !== "") {
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("code", null, brief(detail)));
    }
    view.steps.appendChild(li);
    return li;
  }

  function citations(view, list) {
    var section = el("section", "citations");
    section.appendChild(el("h4", null, "Fuentes citadas"));
    var ol = el("ol");
    list.forEach(function (citation) {
      var li = el("li");
      var link = el("a", "citation", (citation.n ? "[" + citation.n + "] " : "") + citation.document);
      link.setAttribute("href", citation.href);
      li.appendChild(link);
      li.appendChild(document.createTextNode(" (caracteres " + citation.start + "–" + citation.end + ")"));
      ol.appendChild(li);
    });
    section.appendChild(ol);
    view.item.appendChild(section);
  }

  function confirmation(view, calls) {
    var box = el("div", "confirm");
    box.setAttribute("role", "group");
    var heading = el("p", "confirm-question", "El agente quiere ejecutar " + calls.join(", ") + ". ¿Lo permite?");
    heading.id = "confirm-" + Date.now();
    box.setAttribute("aria-labelledby", heading.id);
    box.appendChild(heading);
    [
      ["si", "Aprobar", "button-primary"],
      ["no", "Rechazar", "button-secondary"],
    ].forEach(function (choice) {
      var button = el("button", choice[2], choice[1]);
      button.type = "button";
      button.addEventListener("click", async function () {
        box.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        var body = new FormData();
        body.append("approve", choice[0]);
        var result = await post(form.dataset.confirmUrl.replace("CONV", conversation.value), body);
        if (!result.ok) {
          say(result.body.message);
          box.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
          return;
        }
        box.remove();
        follow(result.body.stream_url);
      });
      box.appendChild(button);
    });
    view.item.appendChild(box);
    box.querySelector("button").focus();
  }

  function follow(url) {
    var view = answerItem();
    var waiting = [];
    // An answer's stream ends by design: closed here, so EventSource does not reconnect, and
    // the live-status area no longer says "Sin conexión" about a stream that simply ended.
    function finished() {
      live.close();
      var area = document.getElementById("live-status");
      if (area) {
        area.dataset.state = "idle";
        area.textContent = "";
      }
    }
    var live = window.consoleLive(url, {
      onEvent: function (type, data) {
        switch (data.type) {
          case "thinking":
            step(view, "thinking", "Pensando:", data.content);
            break;
          case "tool_call":
            step(view, "tool-call", "Herramienta " + data.tool + ":", data.params);
            if (data.requires_confirmation) waiting.push(data.tool);
            break;
          case "tool_result":
            step(view, "tool-result", "Resultado de " + (data.tool || "la herramienta") + ":",
                 data.error || data.result || data.status);
            break;
          case "message":
            view.message.textContent += data.content;
            break;
          case "error":
            step(view, "error", "Error:", data.message || data.error || "");
            break;
          case "done":
            finished();
            view.item.setAttribute("aria-busy", "false");
            view.status.textContent = {
              complete: "Respuesta completa" + (data.model ? " (" + data.model + (data.provider ? " de " + data.provider : "") + ")" : "") + ".",
              pending: "Esperando su confirmación.",
              failed: "Ningún modelo respondió: " + (data.error || "") ,
              interrupted: "Respuesta interrumpida.",
            }[data.status] || data.status;
            if (data.citations && data.citations.length) citations(view, data.citations);
            if (data.status === "pending") confirmation(view, waiting);
            break;
          case "gone":
            finished();
            view.item.setAttribute("aria-busy", "false");
            view.status.textContent = data.message;
            break;
        }
      },
    });
  }

  // A stored answer that still waits (the page was reloaded): its confirmation form.
  var stored = document.querySelector("form[data-studio-confirm]");
  if (stored) {
    stored.addEventListener("submit", async function (submitted) {
      submitted.preventDefault();
      var body = new FormData(stored);
      body.append("approve", submitted.submitter ? submitted.submitter.value : "no");
      var result = await post(stored.action, body);
      if (!result.ok) {
        say(result.body.message);
        return;
      }
      stored.remove();
      follow(result.body.stream_url);
    });
  }

  form.addEventListener("submit", async function (submitted) {
    submitted.preventDefault();
    say("");
    var text = form.querySelector("textarea[name=message]");
    if (!text.value.trim()) {
      say("Escriba una pregunta.");
      text.focus();
      return;
    }
    var result = await post(form.action, new FormData(form));
    if (!result.ok) {
      say(result.body.message);
      return;
    }
    conversation.value = result.body.conversation_id;
    // A reload shows this conversation, kept by the API, and what it waits for.
    window.history.replaceState(null, "", "?conversacion=" + encodeURIComponent(result.body.conversation_id));
    var mine = el("li", "turn turn-user");
    mine.appendChild(el("h3", "turn-who", "Usted"));
    mine.appendChild(el("p", "message", text.value));
    transcript.appendChild(mine);
    text.value = "";
    follow(result.body.stream_url);
  });
})();
