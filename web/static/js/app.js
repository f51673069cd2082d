// Shared helpers of the workspace pages, as window.GR.
//
// Everything a page shows that it did not write itself (posts, drafts,
// model answers, retrieved passages, file names) goes into the DOM as
// text, through el() or text nodes: never as HTML.
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("gr-data").textContent);

  // el builds an element: attrs are attributes (class, href, data-*),
  // except "text" (its text) and "on*" functions (listeners); children
  // are nodes or strings (added as text).
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") node.textContent = v;
      else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      node.append(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return node;
  }

  // fill replaces node's children, skipping null and false (which
  // replaceChildren would write as the text "null").
  function fill(node, ...children) {
    node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
    return node;
  }

  // ApiError is a failed API call: its message is Chinese, for people.
  // ApiError is an error answer: its status, code and message, and the
  // rest of its body (a 409's current state, say) as body.
  class ApiError extends Error {
    constructor(status, code, message, body) {
      super(message);
      this.status = status;
      this.code = code;
      this.body = body || null;
    }
  }

  // api calls the JSON API and returns the parsed body, or throws an
  // ApiError whose message is the server's (or says the network failed).
  // csrf is the session's CSRF token, which the server also keeps with the
  // session and checks on every change a cookie-authenticated request
  // asks for (double submit: another site can send the cookie, not read
  // it).
  function csrf() {
    const m = document.cookie.match(/(?:^|;\s*)gr_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  // signIn sends the browser to the login page, to come back here.
  function signIn() {
    if (location.pathname !== "/login") {
      location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
    }
  }

  async function api(method, path, body, opts) {
    const init = { method, headers: { Accept: "application/json" }, signal: opts && opts.signal };
    if (method !== "GET" && method !== "HEAD") init.headers["X-CSRF-Token"] = csrf();
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let resp;
    try {
      resp = await fetch(path, init);
    } catch (e) {
      if (e.name === "AbortError") throw e;
      throw new ApiError(0, "network", "无法连接服务器，请检查网络后重试。输入的内容没有丢失。");
    }
    return readResponse(resp);
  }

  async function readResponse(resp) {
    let payload = null;
    const text = await resp.text();
    try {
      payload = text ? JSON.parse(text) : null;
    } catch (e) {
      payload = null;
    }
    if (resp.status === 401 && !resp.url.endsWith("/v1/auth/login")) signIn();
    if (!resp.ok) {
      const err = payload && payload.error;
      throw new ApiError(resp.status, err ? err.code : "http_" + resp.status,
        err ? err.message : "服务器返回错误（" + resp.status + "），请稍后重试。", payload);
    }
    return payload;
  }

  // weiboLength counts as Weibo (and review.Length) does: a non-ASCII
  // character 1, two ASCII characters 1, a half rounded up.
  function weiboLength(text) {
    let halves = 0;
    for (const ch of text) halves += ch.codePointAt(0) < 128 ? 1 : 2;
    return Math.floor((halves + 1) / 2);
  }

  function limitOf(kind) {
    return data.limits[kind] || data.limits.comment;
  }

  // bindCount keeps out (an element) showing the count of textarea
  // against the limit of the kind chosen in kindSelect, while typing.
  function bindCount(textarea, out, kindSelect) {
    const update = () => {
      const n = weiboLength(textarea.value);
      const limit = limitOf(kindSelect.value);
      out.textContent = "字数 " + n + " / " + limit + (n > limit ? "，超出 " + (n - limit) + " 字" : "");
      out.classList.toggle("over", n > limit);
    };
    textarea.addEventListener("input", update);
    kindSelect.addEventListener("change", update);
    update();
    return update;
  }

  function countBadge(text, kind) {
    const n = weiboLength(text);
    const limit = limitOf(kind);
    return el("span", { class: "badge " + (n > limit ? "fail" : "neutral"), "data-role": "count",
      text: "字数 " + n + " / " + limit });
  }

  // A placeholder to fill in outranks any finding: it must be seen first.
  const severityRank = { verify: 4, error: 3, warning: 2, info: 1, whole: 0 };

  // marked renders text with spans marked: each mark is {start, end, cls,
  // ids} in code points (end exclusive). Overlapping marks split the text
  // into segments; a segment takes the class of its most severe mark and
  // lists every covering mark's id in data-marks.
  function marked(text, marks) {
    const chars = Array.from(text);
    const cuts = new Set([0, chars.length]);
    for (const m of marks) {
      if (m.end > m.start) {
        cuts.add(Math.max(0, Math.min(m.start, chars.length)));
        cuts.add(Math.max(0, Math.min(m.end, chars.length)));
      }
    }
    const points = [...cuts].sort((a, b) => a - b);
    const frag = document.createDocumentFragment();
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i], b = points[i + 1];
      const piece = chars.slice(a, b).join("");
      const covering = marks.filter((m) => m.start <= a && b <= m.end && m.end > m.start);
      if (covering.length === 0) {
        frag.append(document.createTextNode(piece));
        continue;
      }
      covering.sort((x, y) => severityRank[y.cls] - severityRank[x.cls]);
      frag.append(el("mark", {
        class: covering[0].cls,
        "data-marks": covering.map((m) => m.id).join(" "),
        "data-start": a, "data-end": b,
        title: covering.map((m) => m.title).filter(Boolean).join("；"),
        text: piece,
      }));
    }
    return frag;
  }

  // localTime shows an RFC 3339 time in the browser's time zone (the
  // server sends UTC): "2026-12-05 12:26", or the date alone.
  function localTime(t, dateOnly) {
    if (!t) return "—";
    const d = new Date(t);
    if (isNaN(d)) return "—";
    const p = (n) => String(n).padStart(2, "0");
    const date = d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate());
    return dateOnly ? date : date + " " + p(d.getHours()) + ":" + p(d.getMinutes());
  }

  // barChart draws horizontal bars (SVG, no library): rows of
  // {label, value} on a 0–max scale, the value written at the bar's end.
  function barChart(rows, max) {
    const ns = "http://www.w3.org/2000/svg";
    const rowH = 28, labelW = 150, width = 640;
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + width + " " + (rows.length * rowH + 4));
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", rows.map((r) => r.label + " " + r.value).join("，"));
    svg.classList.add("bars");
    rows.forEach((r, i) => {
      const y = i * rowH + 2;
      const t = document.createElementNS(ns, "text");
      t.setAttribute("x", labelW - 8);
      t.setAttribute("y", y + rowH / 2 + 5);
      t.setAttribute("text-anchor", "end");
      t.textContent = r.label;
      const bar = document.createElementNS(ns, "rect");
      const w = Math.max(2, ((width - labelW - 50) * Math.min(r.value, max)) / max);
      bar.setAttribute("x", labelW);
      bar.setAttribute("y", y + 4);
      bar.setAttribute("width", w);
      bar.setAttribute("height", rowH - 10);
      bar.setAttribute("class", r.value < 60 ? "low" : "ok");
      const v = document.createElementNS(ns, "text");
      v.setAttribute("x", labelW + w + 6);
      v.setAttribute("y", y + rowH / 2 + 5);
      v.textContent = String(r.value);
      svg.append(t, bar, v);
    });
    return svg;
  }

  // howLong says a duration in days, hours and minutes: "2 天 3 小时",
  // "3 小时 20 分", "15 分钟" (at least a minute; the sign is left out).
  function howLong(ms) {
    const m = Math.max(1, Math.round(Math.abs(ms) / 60000));
    const d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60), min = m % 60;
    if (d) return d + " 天" + (h ? " " + h + " 小时" : "");
    if (h) return h + " 小时" + (min ? " " + min + " 分" : "");
    return min + " 分钟";
  }

  // placeholders finds the 【…】 spans a draft leaves to fill in.
  function placeholders(text) {
    const out = [];
    const chars = Array.from(text);
    let open = -1;
    chars.forEach((c, i) => {
      if (c === "【") open = i;
      else if (c === "】" && open >= 0) {
        out.push({ start: open, end: i + 1, text: chars.slice(open, i + 1).join("") });
        open = -1;
      }
    });
    return out;
  }

  // documentURL links a document, and a section of it when given.
  function documentURL(doc, section, collection) {
    const q = new URLSearchParams({ id: doc });
    if (collection) q.set("collection", collection);
    if (section) q.set("section", section);
    return "/knowledge/document?" + q.toString();
  }

  function categoryName(c) { return data.categories[c] || c; }
  function severityName(s) { return data.severities[s] || s; }
  function kindName(k) { return data.kinds[k] || k; }

  // findingMarks turns a review's findings on text into marks (ids f0,
  // f1, …). A finding about the whole draft (a missing step, say) is
  // marked but not painted over every word (class "whole", the least
  // severe), as the CLI does not mark it inline: the list says it.
  function findingMarks(review, text) {
    const whole = Array.from(text).length;
    return review.findings.map((f, i) => ({
      start: f.start, end: f.end, cls: f.start === 0 && f.end >= whole ? "whole" : f.severity, id: "f" + i,
      title: severityName(f.severity) + "：" + categoryName(f.category),
    }));
  }

  // findingsList renders a review's findings: where, how bad, why, what to
  // write instead, and the guideline it rests on.
  function findingsList(review, idPrefix, text) {
    const whole = Array.from(text || "").length;
    const list = el("ol", { class: "findings" });
    // Errors first, then warnings, then hints; in text order within each.
    const order = review.findings.map((f, i) => [f, i]).sort(([a, i], [b, j]) =>
      severityRank[b.severity] - severityRank[a.severity] || a.start - b.start || i - j);
    order.forEach(([f, i]) => {
      const src = f.source && f.source.doc
        ? el("p", { class: "src" }, "依据：", el("a", { href: documentURL(f.source.doc, f.source.section),
          text: f.source.section ? f.source.section : f.source.doc }))
        : null;
      list.append(el("li", {
        "data-role": "finding", "data-start": f.start, "data-end": f.end, "data-category": f.category,
        "data-severity": f.severity, "data-mark": "f" + i, id: idPrefix ? idPrefix + "-f" + i : null,
      },
      el("div", { class: "head" },
        el("span", { class: "badge " + f.severity, text: severityName(f.severity) }),
        el("strong", { text: categoryName(f.category) }),
        f.excerpt && f.end - f.start <= 30 && f.end - f.start < whole ? el("span", { class: "excerpt", text: "“" + f.excerpt + "”" }) : null),
      el("p", { class: "message", text: f.message }),
      f.suggestion ? el("p", { class: "suggestion" }, "建议：", f.suggestion) : null,
      src));
    });
    if (review.findings.length === 0) list.append(el("li", { class: "none", text: "没有发现问题。" }));
    return list;
  }

  // verdict shows score, pass or fail and the count.
  function verdict(review, text) {
    return el("div", { class: "verdict" },
      el("span", { class: "score", "data-role": "score", text: review.score + " 分" }),
      el("span", { class: "badge " + (review.pass ? "pass" : "fail"), "data-role": "verdict",
        text: review.pass ? "通过" : "未通过" }),
      countBadge(text, review.kind),
      el("span", { class: "status", text: review.findings.length ? "发现 " + review.findings.length + " 处问题" : "" }));
  }

  // linkMarks makes a finding's marks light up when the finding is hovered
  // or focused, so the reader sees which words it is about.
  function linkMarks(container) {
    const toggle = (li, on) => {
      for (const m of container.querySelectorAll("mark")) {
        if ((m.dataset.marks || "").split(" ").includes(li.dataset.mark)) m.classList.toggle("active", on);
      }
    };
    for (const li of container.querySelectorAll('[data-role="finding"]')) {
      li.tabIndex = 0;
      for (const [ev, on] of [["mouseenter", true], ["mouseleave", false], ["focus", true], ["blur", false]]) {
        li.addEventListener(ev, () => toggle(li, on));
      }
    }
  }

  // diffView shows a rewrite's changes against the original text.
  function diffView(original, changes) {
    const chars = Array.from(original);
    const box = el("div", { class: "diff", "data-role": "diff" });
    let at = 0;
    for (const c of changes) {
      box.append(chars.slice(at, c.start).join(""));
      if (c.before) box.append(el("del", { title: c.reason || "", text: c.before }));
      if (c.after) box.append(el("ins", { title: c.reason || "", text: c.after }));
      at = c.end;
    }
    box.append(chars.slice(at).join(""));
    return box;
  }

  // Errors are shown next to what caused them: the element whose
  // data-error-for names the field the error code is about, else the
  // form's general error line. Nothing typed is touched.
  function showError(form, err) {
    clearErrors(form);
    const code = (err && err.code) || "";
    let target = null;
    for (const node of form.querySelectorAll("[data-error-for]")) {
      const f = node.dataset.errorFor;
      if (f && (code === f || code.startsWith(f + "_") || code.endsWith("_" + f) || code.includes("_" + f + "_"))) target = node;
    }
    if (!target) target = form.querySelector('[data-error-for=""]') || form.querySelector(".form-error");
    if (!target) return;
    target.textContent = (err && err.message) || "出错了，请稍后重试。";
    target.hidden = false;
    const field = target.dataset.errorFor && form.elements.namedItem(target.dataset.errorFor);
    if (field && field.setAttribute) {
      field.setAttribute("aria-invalid", "true");
      field.focus();
    }
  }

  function clearErrors(form) {
    for (const node of form.querySelectorAll("[data-error-for]")) {
      node.hidden = true;
      node.textContent = "";
    }
    for (const node of form.querySelectorAll('[aria-invalid="true"]')) node.removeAttribute("aria-invalid");
  }

  // busy disables a form's buttons and says what is happening.
  function busy(form, message) {
    const status = form.querySelector(".status");
    for (const b of form.querySelectorAll("button")) b.disabled = Boolean(message);
    if (status) status.textContent = message || "";
  }

  // copyText copies to the clipboard; on a page served over plain HTTP
  // (no Clipboard API) it falls back to a selected textarea.
  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return;
    }
    const ta = el("textarea", { class: "visually-hidden", readonly: true });
    ta.value = text;
    document.body.append(ta);
    ta.select();
    const ok = document.execCommand("copy");
    ta.remove();
    if (!ok) throw new Error("copy failed");
  }

  function copyButton(getText) {
    const b = el("button", { type: "button", class: "secondary small", text: "复制" });
    b.addEventListener("click", async () => {
      try {
        await copyText(getText());
        b.textContent = "已复制";
      } catch (e) {
        b.textContent = "复制失败，请手动选择文字";
      }
      setTimeout(() => { b.textContent = "复制"; }, 2000);
    });
    return b;
  }

  // formJSON reads the named fields of a form.
  function formJSON(form, names) {
    const out = {};
    for (const n of names) {
      const f = form.elements.namedItem(n);
      if (f) out[n] = f.value;
    }
    return out;
  }

  // keep saves the named fields of a form in sessionStorage as they are
  // typed and restores them on load, so a reload or a failed request never
  // loses what was typed.
  function keep(form, key, names) {
    const storeKey = "gr:" + key;
    try {
      const saved = JSON.parse(sessionStorage.getItem(storeKey) || "{}");
      for (const n of names) {
        const f = form.elements.namedItem(n);
        if (f && typeof saved[n] === "string" && f.value === f.defaultValue) f.value = saved[n];
      }
    } catch (e) { /* storage unavailable: nothing to restore */ }
    form.addEventListener("input", () => {
      try { sessionStorage.setItem(storeKey, JSON.stringify(formJSON(form, names))); } catch (e) { /* full */ }
    });
  }

  // collections fills select elements (and a datalist) with the
  // collections of the stored documents.
  async function collections(...targets) {
    const res = await api("GET", "/v1/documents");
    const names = [...new Set(res.documents.map((d) => d.collection))].sort();
    for (const t of targets) {
      if (!t) continue;
      for (const n of names) t.append(el("option", { value: n, text: n === "builtin" ? "builtin（内置）" : n }));
    }
    return res.documents;
  }

  // The header's 退出 button ends the session.
  const logout = document.getElementById("logout");
  if (logout) {
    logout.addEventListener("click", async () => {
      try { await api("POST", "/v1/auth/logout"); } catch (e) { /* signed out either way */ }
      try { sessionStorage.clear(); localStorage.removeItem("gr:chat"); } catch (e) { /* nothing kept */ }
      location.assign("/login");
    });
  }

  // The navigation's 审核队列 shows how many submissions wait for the
  // signed-in reviewer (the queue the API gives only to someone who
  // reviews: "queue" in its answer).
  const queueLink = document.querySelector('[data-role="nav-queue"]');
  if (queueLink) {
    api("GET", "/v1/submissions?status=pending&limit=1").then((res) => {
      if (!res || !res.queue || !res.total) return;
      const n = res.total > 99 ? "99+" : String(res.total);
      queueLink.append(" ", el("span", { class: "nav-count", "data-role": "queue-count", text: n }));
      queueLink.setAttribute("aria-label", "审核队列，" + res.total + " 件待我审核");
    }).catch(() => { /* the count is a convenience: the link works without it */ });
  }

  window.GR = {
    data, el, fill, api, csrf, signIn, localTime, howLong, barChart, readResponse, ApiError, weiboLength, limitOf, bindCount, countBadge, marked, placeholders,
    documentURL, categoryName, severityName, kindName, findingMarks, findingsList, verdict, linkMarks,
    diffView, showError, clearErrors, busy, copyButton, copyText, formJSON, keep, collections,
  };
})();
