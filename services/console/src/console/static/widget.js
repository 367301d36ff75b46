// The guest widget: start_chat, complete_chat (with reCAPTCHA when the desk asks for it), then
// the chat over the desk's WebSocket with the guest's own token (never a user's): messages,
// typing and read receipts both ways, reconnection with the last event id it saw.
"use strict";

(function () {
  var root = document.getElementById("widget");
  if (!root || !root.dataset.tenant) return;
  var tenant = Number(root.dataset.tenant);
  var recaptchaKey = root.dataset.recaptchaKey || "";
  var storeKey = "console-widget-" + tenant;
  var state = load();
  var socket = null;
  var retryMs = 500;
  var lastTypingSent = 0;
  var typingTimer = null;
  var recaptchaWidget = null;
  var refCount = 0;

  function load() {
    try {
      return JSON.parse(window.sessionStorage.getItem(storeKey) || "{}");
    } catch (e) {
      return {};
    }
  }

  function save() {
    try {
      window.sessionStorage.setItem(storeKey, JSON.stringify(state));
    } catch (e) {
      /* private mode: the chat still works until the page closes */
    }
  }

  function byId(id) {
    return document.getElementById(id);
  }

  function show(step) {
    ["step-start", "step-profile", "step-chat"].forEach(function (id) {
      byId(id).hidden = id !== step;
    });
    var first = byId(step).querySelector("textarea, input");
    if (first) first.focus();
  }

  function error(text) {
    byId("widget-error").textContent = text || "";
  }

  function live(text, stateName) {
    var area = byId("live-status");
    area.textContent = text;
    area.dataset.state = stateName;
  }

  function apiError(body, status) {
    if (body && typeof body === "object") {
      for (var key in body) {
        var value = body[key];
        if (typeof value === "string") return value;
        if (Array.isArray(value) && value.length) return value.join(" ");
        if (value && typeof value.message === "string") return value.message;
      }
    }
    return "No se pudo completar (estado " + status + ").";
  }

  function postJson(path, body) {
    return fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "omit",
      body: JSON.stringify(body),
    }).then(function (answer) {
      return answer.json().then(
        function (json) {
          if (!answer.ok) throw new Error(apiError(json, answer.status));
          return json;
        },
        function () {
          throw new Error("No se pudo completar (estado " + answer.status + ").");
        }
      );
    });
  }

  // -- messages ----------------------------------------------------------------------------------
  function render(m) {
    var list = byId("widget-messages");
    var item = m.id ? byId("w-msg-" + m.id) : null;
    if (item) return item;
    item = document.createElement("li");
    item.className = "message from-" + m.sender_type;
    if (m.id) item.id = "w-msg-" + m.id;
    if (m.ref) item.dataset.ref = m.ref;
    var who = document.createElement("p");
    who.className = "who";
    who.textContent = m.sender_type === "user" ? "Usted" : m.sender_type === "agent" ? "Agente" : "Aviso";
    var content = document.createElement("p");
    content.className = "content";
    content.textContent = m.content;
    item.appendChild(who);
    item.appendChild(content);
    if (m.sender_type === "user") {
      var receipt = document.createElement("p");
      receipt.className = "receipt";
      receipt.dataset.read = m.is_read ? "true" : "false";
      // No id and no ref: the first message, stored by complete_chat before the socket opened.
      receipt.textContent = m.is_read ? "Leído" : m.id || !m.ref ? "Enviado" : "Enviando…";
      item.appendChild(receipt);
    }
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
    return item;
  }

  function remember(m) {
    state.messages = state.messages || [];
    if (m.id && state.messages.some(function (seen) { return seen.id === m.id; })) return;
    state.messages.push({ id: m.id, sender_type: m.sender_type, content: m.content, is_read: Boolean(m.is_read) });
    save();
  }

  function onMessage(m) {
    if (byId("w-msg-" + m.id)) return;
    var pending = null;
    if (m.sender_type === "user") {
      pending = Array.prototype.slice.call(document.querySelectorAll("#widget-messages li[data-ref]")).filter(function (li) {
        return !li.id && li.querySelector(".content").textContent === m.content;
      })[0];
    }
    if (pending) {
      pending.id = "w-msg-" + m.id;
      pending.querySelector(".receipt").textContent = "Enviado";
    } else {
      render(m);
    }
    remember(m);
    if (m.sender_type === "agent") {
      showTyping(false);
      sendRead();
    }
  }

  function markRead(ids) {
    // The agent read everything the guest sent: the first message too, whose id the widget never got.
    var first = document.querySelector("#widget-messages li.from-user:not([id]):not([data-ref]) .receipt");
    if (first) {
      first.dataset.read = "true";
      first.textContent = "Leído";
    }
    (ids || []).forEach(function (id) {
      var item = byId("w-msg-" + id);
      var receipt = item && item.querySelector(".receipt");
      if (receipt) {
        receipt.dataset.read = "true";
        receipt.textContent = "Leído";
      }
    });
    (state.messages || []).forEach(function (m) {
      if (m.id === null || ids.indexOf(m.id) >= 0) m.is_read = true;
    });
    save();
  }

  function showTyping(isTyping) {
    window.clearTimeout(typingTimer);
    byId("widget-typing").textContent = isTyping ? "El agente está escribiendo…" : "";
    if (isTyping) {
      typingTimer = window.setTimeout(function () {
        byId("widget-typing").textContent = "";
      }, 6000);
    }
  }

  function showStatus(status) {
    var texts = {
      waiting: "Esperando a un agente…",
      active: "Un agente le atiende.",
      resolved: "El agente marcó su consulta como resuelta.",
      closed: "El chat está cerrado.",
    };
    state.status = status;
    save();
    byId("chat-status").textContent = texts[status] || "";
    byId("send-form").hidden = status === "closed";
  }

  // -- the socket --------------------------------------------------------------------------------
  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function sendRead() {
    if (document.visibilityState === "visible") send({ type: "read", chat_room_id: state.room });
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/api/chat/ws/");
    live("Conectando…", "connecting");
    socket.onopen = function () {
      var auth = { type: "auth", guest_token: state.token, chat_room_id: state.room };
      if (typeof state.last === "number") auth.last_event_id = state.last;
      socket.send(JSON.stringify(auth));
    };
    socket.onmessage = function (event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (typeof frame.id === "number") {
        state.last = frame.id;
        save();
      }
      var data = frame.data || {};
      if (frame.type === "auth_ok") {
        retryMs = 500;
        live("Conectado", "open");
        sendRead();
      } else if (frame.type === "message") {
        onMessage(data);
      } else if (frame.type === "typing") {
        if (data.sender === "agent") showTyping(Boolean(data.is_typing));
      } else if (frame.type === "read") {
        if (data.reader === "agent") markRead(data.message_ids || []);
      } else if (frame.type === "assigned" || frame.type === "status" || frame.type === "waiting") {
        showStatus(data.status);
      } else if (frame.type === "sent") {
        var pending = document.querySelector('#widget-messages li[data-ref="' + data.ref + '"]');
        if (pending && !pending.id && !byId("w-msg-" + data.id)) {
          pending.id = "w-msg-" + data.id;
          pending.querySelector(".receipt").textContent = "Enviado";
        }
      } else if (frame.type === "error") {
        error((frame.data && frame.data.error) || frame.error || "Error");
      }
    };
    socket.onclose = function (event) {
      if (event.code === 4401 || event.code === 4410 || event.code === 1008) {
        live("Sin conexión", "closed");
        error(event.code === 4410 ? "Este chat fue eliminado." : "El chat expiró. Puede iniciar uno nuevo.");
        state = {};
        save();
        return;
      }
      live("Reconectando…", "reconnecting");
      window.setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  }

  function openChat() {
    show("step-chat");
    (state.messages || []).forEach(render);
    showStatus(state.status || "waiting");
    connect();
  }

  // -- the steps ---------------------------------------------------------------------------------
  byId("start-form").addEventListener("submit", function (event) {
    event.preventDefault();
    error("");
    var text = byId("initial-message").value.trim();
    postJson("/api/chat/start_chat/", { initial_message: text, tenant: tenant })
      .then(function (answer) {
        state = { session: answer.session_id, initial: text };
        save();
        show("step-profile");
        renderRecaptcha();
      })
      .catch(function (e) {
        error(e.message);
      });
  });

  function renderRecaptcha() {
    if (!recaptchaKey || recaptchaWidget !== null) return;
    if (!window.grecaptcha || !window.grecaptcha.render) {
      window.setTimeout(renderRecaptcha, 200);
      return;
    }
    recaptchaWidget = window.grecaptcha.render("recaptcha", { sitekey: recaptchaKey });
  }

  byId("profile-form").addEventListener("submit", function (event) {
    event.preventDefault();
    error("");
    var token = "";
    if (recaptchaKey) {
      token = recaptchaWidget !== null && window.grecaptcha ? window.grecaptcha.getResponse(recaptchaWidget) : "";
      if (!token) {
        error("Marque la casilla «No soy un robot» para continuar.");
        return;
      }
    }
    var form = event.target;
    postJson("/api/chat/complete_chat/", {
      session_id: state.session,
      full_name: form.full_name.value.trim(),
      email: form.email.value.trim(),
      phone_number: form.phone_number.value.trim(),
      recaptcha_token: token,
    })
      .then(function (answer) {
        var initial = state.initial || "";
        state = { room: answer.chat_room_id, token: answer.guest_token, status: "waiting", messages: [] };
        state.messages.push({ id: null, sender_type: "user", content: initial, is_read: false });
        save();
        openChat();
      })
      .catch(function (e) {
        if (recaptchaWidget !== null && window.grecaptcha) window.grecaptcha.reset(recaptchaWidget);
        error(e.message);
      });
  });

  byId("send-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var box = byId("widget-content");
    var text = box.value.trim();
    if (!text) return;
    refCount += 1;
    var ref = "w" + Date.now() + "-" + refCount;
    if (!send({ type: "message", chat_room_id: state.room, content: text, ref: ref })) {
      error("Sin conexión: su mensaje no se envió. Reintente en un momento.");
      return;
    }
    error("");
    render({ id: null, ref: ref, sender_type: "user", content: text });
    box.value = "";
  });

  byId("widget-content").addEventListener("input", function () {
    var now = Date.now();
    if (now - lastTypingSent > 2500) {
      lastTypingSent = now;
      send({ type: "typing", chat_room_id: state.room, is_typing: true });
    }
  });
  byId("widget-content").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      byId("send-form").requestSubmit();
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (state.room) sendRead();
  });

  if (state.room && state.token) openChat();
  else if (state.session) show("step-profile");
})();
