// 问答: POST /v1/chat streamed as Server-Sent Events; numbered sources
// beside the answer. The conversation (its session id and the turns shown)
// is kept in localStorage, so a reload continues it.
"use strict";

(function () {
  const { el } = GR;
  const form = document.getElementById("ask-form");
  const turnsBox = document.querySelector(".turns");
  const sourcesBox = document.querySelector(".source-list");
  const sourcesEmpty = document.querySelector(".sources .empty");
  const sessionStatus = document.getElementById("session-status");
  const storeKey = "gr:chat";
  const nothingFound = "知识库中没有找到与这个问题相关的内容。可以换个说法再问，或请管理员把相关文件上传到知识库。";

  let state = load();
  render();
  GR.keep(form, "ask", ["message"]);

  function load() {
    try {
      const s = JSON.parse(localStorage.getItem(storeKey) || "null");
      if (s && Array.isArray(s.turns)) return s;
    } catch (e) { /* unreadable: start afresh */ }
    return { session: "", turns: [] };
  }

  function save() {
    try {
      // Keep the last 50 turns: enough to read back, small for storage.
      state.turns = state.turns.slice(-50);
      localStorage.setItem(storeKey, JSON.stringify(state));
    } catch (e) { /* storage full or disabled: the page still works */ }
  }

  function render() {
    turnsBox.replaceChildren();
    state.turns.forEach((t, i) => turnsBox.append(...turnNodes(t, i)));
    const last = state.turns[state.turns.length - 1];
    showSources(last ? last.sources : null);
    sessionStatus.textContent = state.turns.length ? "继续上次的对话（" + state.turns.length + " 轮）" : "";
  }

  function turnNodes(t, i) {
    const q = el("li", { class: "turn question" }, el("div", { class: "bubble", "data-role": "question", text: t.question }));
    const a = el("li", { class: "turn answer", "data-turn": i });
    const bubble = el("div", { class: "bubble", "data-role": "answer" });
    fillAnswer(bubble, t.answer, t.sources || []);
    a.append(bubble);
    if (t.sources && t.sources.length === 0) a.append(el("p", { class: "notice", "data-role": "nothing-found", text: nothingFound }));
    a.append(el("div", { class: "actions" },
      GR.copyButton(() => t.answer),
      t.sources && t.sources.length ? el("button", { type: "button", class: "secondary small", text: "查看出处",
        onclick: () => showSources(t.sources) }) : null));
    return [q, a];
  }

  // fillAnswer writes the answer as text, its [n] markers as links to
  // the numbered sources.
  function fillAnswer(bubble, answer, sources) {
    bubble.replaceChildren();
    const known = new Set(sources.map((s) => String(s.n)));
    const re = /\[(\d+)\]/g;
    let at = 0;
    let m;
    while ((m = re.exec(answer)) !== null) {
      if (!known.has(m[1])) continue;
      bubble.append(answer.slice(at, m.index));
      const n = m[1];
      bubble.append(el("a", { class: "cite", href: "#source-" + n, text: "[" + n + "]",
        onclick: (ev) => { ev.preventDefault(); showSources(sources, n); } }));
      at = m.index + m[0].length;
    }
    bubble.append(answer.slice(at));
  }

  function showSources(sources, focusN) {
    sourcesBox.replaceChildren();
    sourcesEmpty.hidden = Boolean(sources && sources.length);
    if (sources && sources.length === 0) sourcesEmpty.textContent = "这次回答没有找到可引用的段落。";
    for (const s of sources || []) {
      sourcesBox.append(el("li", { id: "source-" + s.n, "data-role": "source", value: s.n, class: String(s.n) === focusN ? "active" : null },
        el("a", { href: GR.documentURL(s.doc, s.section), text: s.title }),
        s.section ? el("div", { class: "heading-path", text: s.section }) : null,
        s.reference ? el("div", { class: "heading-path", text: s.reference }) : null,
        el("p", { class: "source-text", text: s.text })));
    }
    if (focusN) {
      const li = document.getElementById("source-" + focusN);
      if (li) li.scrollIntoView({ block: "nearest" });
    }
  }

  document.getElementById("new-chat").addEventListener("click", () => {
    state = { session: "", turns: [] };
    save();
    render();
    sessionStatus.textContent = "已开始新对话";
    form.elements.namedItem("message").focus();
  });

  form.elements.namedItem("message").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    GR.clearErrors(form);
    const input = form.elements.namedItem("message");
    const question = input.value.trim();
    if (!question) {
      GR.showError(form, { code: "empty_message", message: "请先输入问题。" });
      return;
    }
    const i = state.turns.length;
    const pending = { question, answer: "", sources: null };
    const [q, a] = turnNodes(pending, i);
    a.classList.add("streaming");
    turnsBox.append(q, a);
    const bubble = a.querySelector(".bubble");
    GR.busy(form, "正在回答…");
    try {
      const res = await ask(question, (piece) => {
        bubble.append(piece);
        a.scrollIntoView({ block: "end" });
      });
      const turn = { question, answer: res.answer, sources: res.sources };
      state.session = res.session;
      state.turns.push(turn);
      save();
      a.replaceWith(turnNodes(turn, i)[1]);
      showSources(res.sources);
      input.value = "";
      input.dispatchEvent(new Event("input", { bubbles: true }));
      sessionStatus.textContent = "";
    } catch (err) {
      q.remove();
      a.remove();
      GR.showError(form, err); // the question stays in the box
    } finally {
      GR.busy(form, "");
    }
  });

  // ask posts the question with Accept: text/event-stream and reads the
  // stream: "token" events carry pieces of the answer, "done" the whole
  // response, "error" a failure after the stream began.
  async function ask(message, onPiece) {
    let resp;
    try {
      resp = await fetch("/v1/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "text/event-stream", "X-CSRF-Token": GR.csrf() },
        body: JSON.stringify({ session: state.session, message }),
      });
    } catch (e) {
      throw new GR.ApiError(0, "network", "无法连接服务器，请检查网络后重试。问题没有丢失。");
    }
    if (!resp.ok || !(resp.headers.get("Content-Type") || "").startsWith("text/event-stream")) {
      return GR.readResponse(resp);
    }
    const reader = resp.body.getReader();
    const decoder = new TextDecoder();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (value) buf += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buf.indexOf("\n\n")) >= 0) {
        const ev = parseEvent(buf.slice(0, cut));
        buf = buf.slice(cut + 2);
        if (ev.event === "token") onPiece(ev.data.text);
        else if (ev.event === "done") return ev.data;
        else if (ev.event === "error") {
          const e = ev.data.error || {};
          throw new GR.ApiError(200, e.code || "stream_error", e.message || "回答中断，请重试。");
        }
      }
      if (done) throw new GR.ApiError(200, "stream_cut", "回答中断，请重试。");
    }
  }

  function parseEvent(block) {
    let event = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    let parsed = {};
    try { parsed = JSON.parse(data.join("\n")); } catch (e) { parsed = {}; }
    return { event, data: parsed };
  }
})();
