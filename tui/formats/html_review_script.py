"""The reviewer mode's script: a mentor comments inside the exported page, offline.

It only adds to the page (every element it makes is built with ``createElement`` and
``textContent``, never from HTML), keeps the work in ``localStorage`` when the browser
allows it, and saves a small ``.feedback.json`` through a Blob URL. It never fetches.
Written without ``//`` comments and without any URL, so the page's no-URL check holds.
"""

from __future__ import annotations

SCRIPT = r"""
(function () {
  "use strict";
  var root = document.querySelector("main[data-session-id]");
  if (!root) { return; }
  var sessionId = root.getAttribute("data-session-id");
  var title = root.getAttribute("data-title") || "Session";
  var tags = [];
  try { tags = JSON.parse(root.getAttribute("data-tags") || "[]"); } catch (e) { tags = []; }
  if (!tags.length) { tags = ["growth-edge"]; }
  var KEY = "debrief-feedback:" + sessionId;
  var NAME_KEY = "debrief-feedback:reviewer";
  var store = null;
  try {
    store = window.localStorage;
    store.setItem(KEY + ":probe", "1");
    store.removeItem(KEY + ":probe");
  } catch (e) { store = null; }

  var state = { on: false, reviewer: "", overall: "", next_practice: "", look_fors_answer: "", comments: [] };
  if (store) {
    try {
      var kept = JSON.parse(store.getItem(KEY) || "null");
      if (kept && typeof kept === "object") {
        ["reviewer", "overall", "next_practice", "look_fors_answer"].forEach(function (k) {
          if (typeof kept[k] === "string") { state[k] = kept[k]; }
        });
        state.on = kept.on === true;
        if (Array.isArray(kept.comments)) { state.comments = kept.comments.filter(validComment); }
      }
      if (!state.reviewer) { state.reviewer = store.getItem(NAME_KEY) || ""; }
    } catch (e) { state.comments = []; }
  }
  var unsaved = false;

  function validComment(c) {
    return c && typeof c.id === "string" && typeof c.text === "string" && typeof c.tag === "string" &&
      typeof c.start === "number" && typeof c.anchor === "string";
  }

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      var v = props[k];
      if (k === "text") { node.textContent = v; }
      else if (k === "class") { node.className = v; }
      else if (k.slice(0, 2) === "on") { node.addEventListener(k.slice(2), v); }
      else if (v !== null && v !== undefined && v !== false) { node.setAttribute(k, v === true ? "" : String(v)); }
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function remember() {
    unsaved = true;
    if (!store) { return; }
    try {
      store.setItem(KEY, JSON.stringify(state));
      if (state.reviewer) { store.setItem(NAME_KEY, state.reviewer); }
    } catch (e) {
      say("This browser did not keep your latest change: save the feedback file before you close the page.");
    }
  }

  function clock(seconds) {
    var s = Math.floor(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    return (h ? two(h) + ":" : "") + two(m) + ":" + two(r);
  }

  function newId() {
    var bits = new Uint32Array(2);
    window.crypto.getRandomValues(bits);
    return "c" + Date.now().toString(36) + "-" + bits[0].toString(36) + bits[1].toString(36);
  }

  var nameInput, countText, status, toggle;
  var ids = 0;

  function say(text) { status.forEach(function (s) { s.textContent = text; }); }

  function counted() {
    var n = state.comments.length;
    countText.forEach(function (c) { c.textContent = n === 1 ? "1 comment" : n + " comments"; });
  }

  function needName() {
    if (state.reviewer.trim()) { return false; }
    say("Type your name first: it goes with every comment.");
    nameInput.focus();
    return true;
  }

  function setOn(on, keep) {
    state.on = on;
    document.body.classList.toggle("fb-on", on);
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    toggle.textContent = on ? "Stop giving feedback" : "Give feedback";
    /* Written only when the mentor switches it: on opening, the page may have read the storage
       before the last visit's writes reached it, and writing back would wipe them. */
    if (keep && store) { try { store.setItem(KEY, JSON.stringify(state)); } catch (e) { state.on = on; } }
    if (on && !state.reviewer.trim()) { nameInput.focus(); }
  }

  function composer(zone, anchor, existing) {
    var open = zone.querySelector(".fb-form");
    if (open) { open.querySelector("textarea").focus(); return; }
    ids += 1;
    var tagId = "fb-tag-" + ids, textId = "fb-text-" + ids;
    var select = el("select", { id: tagId }, tags.map(function (t) { return el("option", { value: t, text: t }); }));
    if (existing) { select.value = existing.tag; }
    var area = el("textarea", { id: textId, rows: 3, maxlength: 20000 });
    area.value = existing ? existing.text : "";
    var form;
    function close() { form.remove(); anchor.button.focus(); }
    function add() {
      if (needName()) { return; }
      var text = area.value.trim();
      if (!text) { say("Write the comment first."); area.focus(); return; }
      if (existing) {
        existing.text = text;
        existing.tag = select.value;
      } else {
        state.comments.push({ id: newId(), start: anchor.start, end: anchor.end, tag: select.value, text: text,
          on: anchor.on, mark_id: anchor.markId, anchor: anchor.key });
      }
      remember();
      form.remove();
      draw(zone, anchor);
      counted();
      say(existing ? "Comment changed." : "Comment added at " + clock(anchor.start) + ".");
      anchor.button.focus();
    }
    area.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); add(); }
      if (e.key === "Escape") { e.preventDefault(); close(); }
    });
    form = el("div", { class: "fb-form", role: "group", "aria-label": "Comment at " + clock(anchor.start) }, [
      el("label", { for: tagId, text: "Tag" }), select,
      el("label", { for: textId, text: "Your comment (Ctrl+Enter adds it)" }), area,
      el("div", { class: "fb-actions" }, [
        el("button", { type: "button", class: "fb-primary", text: existing ? "Save changes" : "Add comment", onclick: add }),
        el("button", { type: "button", text: "Cancel", onclick: close })
      ])
    ]);
    zone.appendChild(form);
    area.focus();
  }

  function draw(zone, anchor) {
    var list = zone.querySelector(".fb-list");
    list.textContent = "";
    state.comments.filter(function (c) { return c.anchor === anchor.key; }).forEach(function (c) {
      list.appendChild(el("li", { class: "fb-comment" }, [
        el("span", { class: "tag", text: c.tag }), " ",
        el("span", { class: "fb-said", text: c.text }),
        el("div", { class: "fb-foot" }, [
          el("span", { class: "fb-by", text: "Your comment, " + (state.reviewer.trim() || "no name yet") }),
          el("button", { type: "button", text: "Edit", "aria-label": "Edit your comment: " + c.text.slice(0, 40),
            onclick: function () { composer(zone, anchor, c); } }),
          el("button", { type: "button", text: "Remove", "aria-label": "Remove your comment: " + c.text.slice(0, 40),
            onclick: function () {
              state.comments = state.comments.filter(function (x) { return x !== c; });
              remember(); draw(zone, anchor); counted(); say("Comment removed."); anchor.button.focus();
            } })
        ])
      ]));
    });
  }

  function attach(host, anchor, label, describe) {
    if (attach.seen[anchor.key]) { return; }
    attach.seen[anchor.key] = true;
    var zone = el("div", { class: "fb-zone fb-only" }, [el("ul", { class: "fb-list" })]);
    anchor.button = el("button", { type: "button", class: "fb-add fb-only fb-add-" + anchor.on, text: label,
      "aria-label": describe, onclick: function () { composer(zone, anchor, null); } });
    if (anchor.on === "moment") {
      zone.insertBefore(anchor.button, zone.firstChild);
      host.insertBefore(zone, host.querySelector(":scope > audio, :scope > ol.lines"));
    } else {
      host.appendChild(anchor.button);
      host.appendChild(zone);
    }
    draw(zone, anchor);
  }
  attach.seen = {};

  function num(value) { return value === "" || value === null ? null : parseFloat(value); }

  function textarea(label, key, rows) {
    ids += 1;
    var area = el("textarea", { id: "fb-area-" + ids, rows: rows, maxlength: 20000 });
    area.value = state[key];
    area.addEventListener("input", function () { state[key] = area.value; remember(); });
    return [el("label", { for: "fb-area-" + ids, text: label }), area];
  }

  function fileName() {
    var base = title.replace(/[\\\/:*?"<>|\u0000-\u001f\u007f]+/g, "-").replace(/^[\s.-]+|[\s.]+$/g, "");
    return (base.slice(0, 80) || "session") + ".feedback.json";
  }

  function saveFile() {
    if (needName()) { return; }
    var doc = { format: "debrief-feedback", version: 1, session: { id: sessionId, title: title },
      reviewer: state.reviewer.trim(), created: new Date().toISOString(), overall: state.overall,
      next_practice: state.next_practice, look_fors_answer: state.look_fors_answer,
      comments: state.comments.map(function (c) {
        var out = { id: c.id, start: c.start, end: c.end, tag: c.tag, text: c.text, on: c.on };
        if (c.mark_id) { out.mark_id = c.mark_id; }
        return out;
      }) };
    var blob = new Blob([JSON.stringify(doc, null, 2) + "\n"], { type: "application/json" });
    var link = el("a", { href: URL.createObjectURL(blob), download: fileName(), class: "fb-hidden" });
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 4000);
    unsaved = false;
    say("Saved " + fileName() + ": send it to the person who shared this page.");
  }

  status = [];
  countText = [];
  function statusLine() { var s = el("p", { class: "fb-status", role: "status" }); status.push(s); return s; }
  function countLine() { var c = el("span", { class: "fb-count" }); countText.push(c); return c; }

  toggle = el("button", { type: "button", class: "fb-toggle", "aria-pressed": "false", text: "Give feedback",
    onclick: function () { setOn(!state.on, true); } });
  nameInput = el("input", { id: "fb-name", type: "text", autocomplete: "name", maxlength: 200 });
  nameInput.value = state.reviewer;
  nameInput.addEventListener("input", function () { state.reviewer = nameInput.value; remember(); });
  nameInput.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); say(state.reviewer.trim() ? "Thank you, " + state.reviewer.trim() + "." : ""); }
  });
  var bar = el("div", { class: "fb-bar no-print", role: "region", "aria-label": "Feedback" }, [
    el("div", { class: "fb-row" }, [toggle,
      el("span", { class: "fb-only fb-name" }, [el("label", { for: "fb-name", text: "Your name" }), nameInput]),
      el("span", { class: "fb-only" }, [countLine()]),
      el("button", { type: "button", class: "fb-only fb-primary", text: "Save feedback", onclick: saveFile })]),
    el("p", { class: "fb-only fb-help", text: store
      ? "Comment on any moment or transcript line. Your work stays in this browser until you save the feedback file."
      : "This browser will not keep your work between visits: save the feedback file before you close the page." }),
    statusLine()
  ]);
  root.insertBefore(bar, root.firstChild);

  Array.prototype.forEach.call(root.querySelectorAll("article.moment[data-start]"), function (article) {
    var n = article.querySelector(".num");
    var start = num(article.getAttribute("data-start"));
    var anchor = { key: "m:" + article.id, on: "moment", start: start, end: num(article.getAttribute("data-end")),
      markId: article.getAttribute("data-mark") || "" };
    attach(article, anchor, "Comment on this moment",
      "Comment on moment " + (n ? n.textContent : "") + " at " + clock(start));
  });
  Array.prototype.forEach.call(root.querySelectorAll("ol.lines li[data-start]"), function (line) {
    var start = num(line.getAttribute("data-start"));
    var who = line.querySelector(".who");
    var moment = line.closest("article");
    var anchor = { key: "l:" + (moment ? moment.id : "") + ":" + start, on: "line", start: start,
      end: num(line.getAttribute("data-end")), markId: "" };
    attach(line, anchor, "Comment", "Comment on the line at " + clock(start) + (who ? " by " + who.textContent : ""));
  });

  var panel = el("section", { class: "fb-panel fb-only", "aria-labelledby": "fb-panel-title" },
    [el("h2", { id: "fb-panel-title", text: "Your feedback" })]);
  var lookFors = root.querySelector("[data-look-fors]");
  if (lookFors) {
    var asked = Array.prototype.map.call(lookFors.querySelectorAll("p"), function (p) { return p.textContent; });
    panel.appendChild(el("p", { class: "fb-label", text: "What they asked you to look for" }));
    panel.appendChild(el("blockquote", { class: "fb-quote", text: asked.join("\n") }));
    textarea("Your answer to the look-fors", "look_fors_answer", 4).forEach(function (n) { panel.appendChild(n); });
  }
  textarea("Overall note", "overall", 5).forEach(function (n) { panel.appendChild(n); });
  textarea("Suggested next practice", "next_practice", 3).forEach(function (n) { panel.appendChild(n); });
  panel.appendChild(el("div", { class: "fb-row" }, [
    el("button", { type: "button", class: "fb-primary", text: "Save feedback", onclick: saveFile }), countLine()]));
  panel.appendChild(statusLine());
  var footer = root.querySelector("footer");
  root.insertBefore(panel, footer);

  counted();
  if (!store) {
    window.addEventListener("beforeunload", function (e) { if (unsaved) { e.preventDefault(); e.returnValue = ""; } });
  }
  setOn(state.on, false);
}());
"""

CSS = """
.fb-bar { position: sticky; top: 0; z-index: 5; background: var(--paper); border-bottom: 1px solid var(--rule);
  margin: -1rem -1.5rem 1.5rem; padding: .6rem 1.5rem; }
.fb-row { display: flex; flex-wrap: wrap; gap: .5rem .9rem; align-items: center; }
.fb-name { display: inline-flex; gap: .4rem; align-items: center; }
.fb-name input { width: 12rem; max-width: 100%; }
.fb-help, .fb-status { margin: .35rem 0 0; color: var(--muted); font-size: .85rem; }
.fb-status:empty { display: none; }
body:not(.fb-on) .fb-only { display: none; }
button, select, input, textarea { font: inherit; color: inherit; }
button { border: 1px solid var(--accent); background: var(--paper); color: var(--accent); border-radius: 6px;
  padding: .3rem .75rem; cursor: pointer; }
button.fb-primary, button[aria-pressed="true"] { background: var(--accent); color: #fff; }
button.fb-add { font-size: .85rem; padding: .1rem .6rem; }
input, select, textarea { border: 1px solid #8a8a96; border-radius: 6px; padding: .3rem .5rem; background: var(--paper); }
textarea { display: block; width: 100%; resize: vertical; }
.fb-bar :focus-visible, .fb-zone :focus-visible, .fb-panel :focus-visible { outline: 3px solid #c79a00;
  outline-offset: 2px; }
.fb-zone { margin: .5rem 0 .2rem; }
ol.lines li .fb-zone { grid-column: 1 / -1; margin: .1rem 0 .3rem; }
ol.lines li .fb-zone button.fb-add { font-size: .78rem; padding: 0 .5rem; }
.fb-list { list-style: none; margin: .4rem 0; padding: 0; }
.fb-comment { margin: .35rem 0; padding: .45rem .7rem; background: #eef5fb; border-left: 4px solid var(--accent);
  border-radius: 0 6px 6px 0; overflow-wrap: anywhere; }
.fb-said { white-space: pre-wrap; }
.fb-foot { display: flex; flex-wrap: wrap; gap: .3rem .6rem; align-items: center; margin-top: .25rem; }
.fb-by { color: var(--muted); font-size: .85rem; }
.fb-foot button { font-size: .78rem; padding: 0 .5rem; }
body.fb-on ol.lines li { grid-template-columns: 3.6rem 7.5rem 1fr auto; }
ol.lines li > .fb-add { align-self: start; grid-row: 1; grid-column: -2; }
ol.lines li > .fb-zone:not(:has(li, .fb-form)) { display: none; }
.fb-form { display: grid; gap: .35rem; margin: .5rem 0; padding: .7rem; border: 1px dashed var(--accent);
  border-radius: 8px; background: var(--wash); max-width: 40rem; }
.fb-form label, .fb-panel label, .fb-label { font-weight: 600; font-size: .9rem; }
.fb-label { margin: 0; }
.fb-form select { justify-self: start; }
.fb-actions { display: flex; gap: .5rem; flex-wrap: wrap; }
.fb-panel { display: grid; gap: .4rem; margin: 2.5rem 0 0; padding: 1rem 1.1rem; border: 2px solid var(--accent);
  border-radius: 8px; }
.fb-panel h2 { margin-top: 0; }
.fb-panel label { margin-top: .5rem; }
.fb-quote { margin: 0; padding: .4rem .8rem; white-space: pre-line; border-left: 4px solid var(--rule); color: var(--muted); }
.fb-hidden { display: none; }
.moment .by-mentor { color: var(--accent); font-weight: 600; }
@media (max-width: 40rem) { .fb-bar { position: static; } .fb-name { flex: 1 1 100%; }
  body.fb-on ol.lines li { grid-template-columns: 3.2rem 1fr auto; }
  .fb-name input { width: 100%; } }
@media print { .fb-bar, .fb-add, .fb-form, .fb-comment .fb-actions { display: none; } }
"""
