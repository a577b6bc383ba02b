/* Wren in the browser: the service worker, live timelines over htmx's WebSocket extension and
   Web Push. Everything works without this file; it only adds. */
"use strict";

(function () {
  function meta(name) {
    const el = document.querySelector('meta[name="' + name + '"]');
    return el ? el.getAttribute("content") : null;
  }

  const signedIn = meta("wren-signed-in") === "true";

  /* --- the service worker ------------------------------------------------------------------ */

  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    });
  }

  /* --- live timelines ---------------------------------------------------------------------- */

  function newestShown(container) {
    // Snowflake ids exceed 2^53: compare them as BigInt.
    let newest = 0n;
    container.querySelectorAll('article[id^="status-"]').forEach(function (card) {
      const raw = card.id.slice(7);
      if (/^\d+$/.test(raw)) {
        const id = BigInt(raw);
        if (id > newest) newest = id;
      }
    });
    return newest;
  }

  function liveUrl(timelineEl) {
    const params = new URLSearchParams();
    params.set("timeline", timelineEl ? timelineEl.dataset.timeline : "none");
    if (timelineEl && timelineEl.dataset.tag) params.set("tag", timelineEl.dataset.tag);
    if (timelineEl && timelineEl.dataset.account) params.set("account", timelineEl.dataset.account);
    return "/web/live?" + params.toString();
  }

  function connectLive() {
    if (!signedIn || !window.htmx || !("WebSocket" in window)) return;
    const timelineEl = document.querySelector("#timeline[data-timeline]");
    const known = ["home", "local", "federated", "hashtag", "profile"];
    const useTimeline = timelineEl && known.indexOf(timelineEl.dataset.timeline) >= 0;
    let socketEl = useTimeline ? timelineEl : null;
    if (!socketEl) {
      if (!document.getElementById("nav-badge")) return;
      socketEl = document.createElement("div");
      socketEl.hidden = true;
      document.body.appendChild(socketEl);
    }
    socketEl.setAttribute("hx-ext", "ws");
    socketEl.setAttribute("ws-connect", liveUrl(useTimeline ? timelineEl : null));
    let wrapper = null;
    socketEl.addEventListener("htmx:wsOpen", function (event) {
      wrapper = event.detail.socketWrapper;
      const since = useTimeline ? newestShown(timelineEl) : 0n;
      wrapper.send(JSON.stringify({ since_id: since.toString() }), null);
      document.documentElement.dataset.live = "open";
    });
    socketEl.addEventListener("htmx:wsAfterMessage", function () {
      // A post made on this page arrives twice (the compose answer and the live update).
      const seen = new Set();
      document.querySelectorAll('#timeline article[id^="status-"]').forEach(function (card) {
        if (seen.has(card.id)) card.remove();
        else seen.add(card.id);
      });
    });
    socketEl.addEventListener("htmx:wsClose", function () {
      document.documentElement.dataset.live = "closed";
    });
    // A socket can outlive the network silently: start afresh whenever the browser is back
    // online (the new socket sends since_id and the server catches up).
    window.addEventListener("offline", function () {
      document.documentElement.dataset.live = "closed";
    });
    window.addEventListener("online", function () {
      if (wrapper) wrapper.reconnect();
    });
    window.htmx.process(socketEl);
  }

  /* --- status card actions ---------------------------------------------------------------- */

  // Cards' buttons submit the page's one action form, #f (templates/_partials/status_actions.html
  // and base.html), and carry no hx-* attributes, to keep timeline pages small: send them with
  // htmx here. The pressed button's name and value and the form's CSRF token go along; the
  // answer is the updated card and says where it goes (HX-Retarget/HX-Reswap).
  function cardActions() {
    document.addEventListener("submit", function (event) {
      const form = event.target;
      const button = event.submitter;
      if (!window.htmx || form.id !== "f" || !button || !button.closest("article")) return;
      event.preventDefault();
      window.htmx.ajax("POST", form.getAttribute("action"), { source: button });
    });
  }

  /* --- Web Push ---------------------------------------------------------------------------- */

  function base64ToBytes(value) {
    const padded = (value + "===".slice((value.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(padded);
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }

  function postJson(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": meta("csrf-token") || "" },
      body: JSON.stringify(body),
    });
  }

  function subscribePush() {
    return fetch("/web/push/key", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (key) {
        return navigator.serviceWorker.ready.then(function (reg) {
          return reg.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: base64ToBytes(key.public_key),
          });
        });
      })
      .then(function (sub) { return postJson("/web/push/subscribe", sub.toJSON()); });
  }

  function unsubscribePush() {
    return navigator.serviceWorker.ready
      .then(function (reg) { return reg.pushManager.getSubscription(); })
      .then(function (sub) {
        if (!sub) return null;
        return postJson("/web/push/unsubscribe", { endpoint: sub.endpoint })
          .then(function () { return sub.unsubscribe(); });
      });
  }

  function setupPush() {
    if (!signedIn || !("PushManager" in window) || !("serviceWorker" in navigator)) return;
    const toggles = document.querySelectorAll("[data-push-toggle]");
    toggles.forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        const on = button.getAttribute("aria-pressed") === "true";
        const change = on ? unsubscribePush() : Notification.requestPermission().then(function (p) {
          if (p === "granted") return subscribePush();
          return null;
        });
        change.then(function () {
          button.setAttribute("aria-pressed", on ? "false" : "true");
        }).catch(function () {});
      });
    });
    // Keep the server's copy in step when permission was granted earlier.
    if (window.Notification && Notification.permission === "granted") {
      navigator.serviceWorker.ready
        .then(function (reg) { return reg.pushManager.getSubscription(); })
        .then(function (sub) {
          toggles.forEach(function (b) { b.setAttribute("aria-pressed", sub ? "true" : "false"); });
          if (sub) return postJson("/web/push/subscribe", sub.toJSON());
          return null;
        }).catch(function () {});
    }
  }

  function start() {
    cardActions();
    connectLive();
    setupPush();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
