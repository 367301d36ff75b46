// The desk's live page script (queues and a room): the console's SSE relay of the chat
// WebSocket through consoleLive; a sound (Web Audio, no file) and a browser notification for
// every new chat, focused tab or not; typing and read receipts both ways; who else is viewing.
// After a reconnection (a network drop, a NATS restart) the queues and the room are reloaded
// from the API, so what was missed meanwhile shows up; the first connection reloads the room's
// messages once, for what came between the page's render and the socket's attachment.
"use strict";

(function () {
  var desk = document.getElementById("desk");
  if (!desk || !window.consoleLive) return;
  var roomId = desk.dataset.roomId || null;
  var myAgent = Number(desk.dataset.agentId);
  var audio = null;
  var typingTimer = null;
  var lastTypingSent = 0;

  function post(url, fields) {
    var body = new URLSearchParams(fields || {});
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": window.consoleCsrfToken(), "Content-Type": "application/x-www-form-urlencoded" },
      body: body,
    });
  }

  // A burst of events (a move sends several) becomes one reload: each costs API calls, counted
  // in the user's rate limit.
  var pending = {};
  function refresh(what) {
    if (pending[what]) return;
    pending[what] = window.setTimeout(function () {
      delete pending[what];
      document.body.dispatchEvent(new CustomEvent(what));
    }, 400);
  }

  // -- alerts: a sound and a browser notification for a new chat ------------------------------
  function beep() {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return false;
      audio = audio || new Context();
      if (audio.state === "suspended") audio.resume();
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.3, audio.currentTime + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.35);
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.4);
      return true;
    } catch (e) {
      return false;
    }
  }

  function notify(title, body) {
    if (!("Notification" in window) || Notification.permission !== "granted") return false;
    try {
      var shown = new Notification(title, { body: body, tag: "desk-" + Date.now() });
      shown.onclick = function () {
        window.focus();
      };
      return true;
    } catch (e) {
      return false;
    }
  }

  function showPermission() {
    var where = document.getElementById("alerts-permission");
    if (!where) return;
    if (!("Notification" in window)) where.textContent = "Este navegador no muestra notificaciones.";
    else if (Notification.permission === "granted") where.textContent = "Notificaciones activadas.";
    else if (Notification.permission === "denied") where.textContent = "Notificaciones bloqueadas en el navegador.";
    else where.textContent = "Notificaciones sin activar.";
  }

  function alertLog(text, how) {
    var log = document.getElementById("desk-alerts");
    if (!log) return;
    var item = document.createElement("li");
    item.textContent = text + (how.length ? " (" + how.join(", ") + ")" : "");
    log.insertBefore(item, log.firstChild);
    while (log.children.length > 5) log.removeChild(log.lastChild);
  }

  function newChatAlert(data) {
    var text = "Nuevo chat: " + ((data && data.initial_message) || "");
    var how = [];
    if (beep()) how.push("sonido");
    if (notify("Nuevo chat en espera", (data && data.initial_message) || "")) how.push("notificación");
    alertLog(text, how);
  }

  var enable = document.getElementById("enable-alerts");
  if (enable) {
    enable.addEventListener("click", function () {
      beep(); // a user gesture lets the page play sound from now on
      if ("Notification" in window && Notification.permission === "default") {
        Notification.requestPermission().then(showPermission);
      }
    });
  }
  showPermission();

  // -- the room: messages, receipts, typing, viewers -------------------------------------------
  function label(sender) {
    if (sender === "user") return desk.dataset.guestName || "Invitado";
    if (sender === "agent") return "Agente";
    return "Sistema";
  }

  function appendMessage(m) {
    var list = document.getElementById("messages");
    if (!list || document.getElementById("msg-" + m.id)) return;
    var item = document.createElement("li");
    item.className = "message from-" + m.sender_type;
    item.id = "msg-" + m.id;
    item.dataset.id = m.id;
    item.dataset.sender = m.sender_type;
    var who = document.createElement("p");
    who.className = "who";
    who.textContent = m.sender_type === "agent" && m.agent_id === myAgent ? "Usted" : label(m.sender_type);
    var time = document.createElement("time");
    time.dateTime = m.created_at;
    time.textContent = " " + String(m.created_at).slice(11, 16);
    who.appendChild(time);
    var content = document.createElement("p");
    content.className = "content";
    content.textContent = m.content;
    item.appendChild(who);
    item.appendChild(content);
    if (m.sender_type === "agent") {
      var receipt = document.createElement("p");
      receipt.className = "receipt";
      receipt.dataset.read = "false";
      receipt.textContent = "Enviado";
      item.appendChild(receipt);
    }
    list.appendChild(item);
  }

  function markRead(ids) {
    (ids || []).forEach(function (id) {
      var receipt = document.querySelector("#msg-" + CSS.escape(id) + " .receipt");
      if (receipt) {
        receipt.dataset.read = "true";
        receipt.textContent = "Leído";
      }
    });
  }

  function sendReadReceipt() {
    if (roomId && document.visibilityState === "visible") post("/console/desk/rooms/" + roomId + "/signal/read/");
  }

  function showTyping(isTyping) {
    var where = document.getElementById("typing");
    if (!where) return;
    window.clearTimeout(typingTimer);
    where.textContent = isTyping ? "El invitado está escribiendo…" : "";
    if (isTyping) {
      typingTimer = window.setTimeout(function () {
        where.textContent = "";
      }, 6000);
    }
  }

  function showViewers(agents) {
    var where = document.getElementById("viewers");
    if (!where) return;
    var others = (agents || []).filter(function (a) {
      return a.agent_id !== myAgent;
    });
    where.textContent = others.length
      ? "También viendo este chat: " + others.map(function (a) { return a.name; }).join(", ")
      : "";
  }

  // An htmx reply lands before or after its own live copy: keep one of each message.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "messages") {
      var seen = {};
      Array.prototype.slice.call(event.detail.target.children).forEach(function (item) {
        if (seen[item.id]) item.remove();
        seen[item.id] = true;
      });
      var form = document.getElementById("reply");
      if (form) form.reset();
      var error = document.getElementById("reply-error");
      if (error) error.textContent = "";
    }
  });

  var textarea = document.getElementById("reply-content");
  if (textarea && roomId) {
    textarea.addEventListener("input", function () {
      var now = Date.now();
      if (now - lastTypingSent > 2500) {
        lastTypingSent = now;
        post("/console/desk/rooms/" + roomId + "/signal/typing/", { is_typing: "true" });
      }
    });
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        textarea.form.requestSubmit();
      }
    });
  }

  // -- the live relay ----------------------------------------------------------------------------
  var opened = 0;

  // "ready" comes once chat has attached the socket (the relay says "Conectado" only then).
  // The first one closes the gap between the page's render and the attachment (the room's
  // messages, one API call); a later one is a reconnection: what happened meanwhile is in the
  // API, not in the stream.
  function onReady() {
    opened += 1;
    if (opened > 1) {
      refresh("desk:queues");
      if (roomId) refresh("desk:panel");
    }
    if (roomId) reloadMessages();
  }

  function onEvent(type, data) {
    if (type === "ready") return onReady();
    if (type !== "desk" || !data) return;
    var kind = data.type;
    var here = roomId !== null && data.chat_room_id === roomId;
    if (kind === "new_chat") {
      newChatAlert(data.data);
      refresh("desk:queues");
    } else if (kind === "assigned" || kind === "waiting" || kind === "status") {
      refresh("desk:queues");
      if (here) refresh("desk:panel");
    } else if (kind === "message") {
      if (here) {
        appendMessage(data.data);
        if (data.data.sender_type === "user") {
          showTyping(false);
          sendReadReceipt();
        }
      } else {
        refresh("desk:queues");
      }
    } else if (kind === "read" && here) {
      if (data.data.reader === "user") markRead(data.data.message_ids);
    } else if (kind === "typing" && here) {
      if (data.data.sender === "user") showTyping(Boolean(data.data.is_typing));
    } else if (kind === "viewers" && here) {
      showViewers(data.data.agents);
    }
  }

  function onState(state) {
    desk.dataset.live = state;
  }

  function reloadMessages() {
    fetch("/console/desk/rooms/" + roomId + "/messages/", { credentials: "same-origin" })
      .then(function (answer) {
        return answer.ok ? answer.text() : "";
      })
      .then(function (html) {
        if (!html) return;
        var holder = document.createElement("ol");
        holder.innerHTML = html;
        Array.prototype.slice.call(holder.children).forEach(function (item) {
          var list = document.getElementById("messages");
          if (list && !document.getElementById(item.id)) list.appendChild(item);
          else if (list) {
            var old = document.getElementById(item.id);
            old.replaceWith(item);
          }
        });
      });
  }

  window.consoleLive(desk.dataset.liveUrl, { events: ["desk", "ready"], onEvent: onEvent, onState: onState });
  if (roomId) sendReadReceipt();
  document.addEventListener("visibilitychange", sendReadReceipt);
})();
