// 稿件审核: GET /v1/submissions/{id} — the citizen's post, the facts, the
// state against the deadline, the current text with its automatic
// findings marked, and the timeline of versions (with their differences)
// and decisions. A reviewer who may decide now ticks the five checks,
// notes spans of the text and approves, returns or corrects and approves
// (POST …/decisions, with the version read: a 409 shows the state that
// came first). The author of a returned submission revises it (POST
// …/versions). An approved one is 可发布, with its text to copy.
"use strict";

(function () {
  const { el, api } = GR;
  const id = new URLSearchParams(location.search).get("id") || "";
  const path = "/v1/submissions/" + encodeURIComponent(id);
  const statusNames = { pending: "待审核", returned: "已退回", approved: "可发布", withdrawn: "已撤回" };
  const decisionNames = { approve: "通过", return: "退回修改", edit_approve: "修改后通过" };
  const checkNames = { political: "政治关", legal: "法律关", policy: "政策关", secrecy: "保密关", wording: "文字关" };

  const box = document.getElementById("submission");
  const loadStatus = document.getElementById("load-status");
  const pageError = document.getElementById("page-error");
  const flash = document.getElementById("flash");
  const textView = document.getElementById("text-view");
  const decisionForm = document.getElementById("decision-form");
  const reviseForm = document.getElementById("revise-form");
  const spanList = decisionForm.querySelector('[data-role="spans"]');
  const editText = decisionForm.elements.namedItem("text");
  const reviseText = reviseForm.elements.namedItem("text");

  let cur = null; // the submission as last read
  let formFor = ""; // "id:version" the forms were last reset for
  let notes = []; // the spans being noted: {start, end, input}
  let lastSelection = null; // the last selection inside the text, in code points

  // The counts are against the limit of the submission's kind.
  const kindOf = { get value() { return cur ? cur.kind : "reply"; }, addEventListener() {} };
  GR.bindCount(editText, document.getElementById("edit-text-count"), kindOf);
  GR.bindCount(reviseText, document.getElementById("revise-text-count"), kindOf);

  const howLong = GR.howLong;

  const chars = (t) => Array.from(t || "");
  const slice = (t, a, b) => chars(t).slice(a, b).join("");
  const levelName = (x) => x.level_name || "第 " + x.level + " 级";

  const parseReview = (v) => (v && v.review) || null;

  // post sends a change and returns the new state; a 409's error carries
  // the state that came first (current).
  async function post(url, body) {
    try {
      return await GR.api("POST", url, body);
    } catch (err) {
      if (err.status === 409 && err.body) err.current = err.body.current;
      throw err;
    }
  }

  async function load() {
    if (!/^\d+$/.test(id)) {
      showPageError("缺少稿件编号，请从审核队列打开稿件。");
      return;
    }
    try {
      render(await api("GET", path));
    } catch (err) {
      showPageError("无法载入稿件：" + err.message);
    }
  }

  function showPageError(msg) {
    loadStatus.textContent = "";
    pageError.textContent = msg;
    pageError.hidden = false;
  }

  function say(msg) {
    flash.textContent = msg;
    flash.hidden = !msg;
  }

  function render(d) {
    cur = d;
    loadStatus.textContent = "";
    document.getElementById("sub-title").textContent = "第 " + d.id + " 号稿件";
    document.title = "第 " + d.id + " 号稿件 · 稿件审核 · 政务微博回复助手";
    renderState(d);
    renderWithdraw(d);
    renderPublishable(d);
    box.querySelector('[data-role="post"]').textContent = d.post_forgotten
      ? "（原帖和部门掌握的情况含群众个人信息，已按保存期限清除；审核记录保留。）" : d.post || "（未提供）";
    box.querySelector('[data-role="facts"]').textContent = d.facts || "";
    box.querySelector('[data-role="facts-box"]').hidden = !d.facts;
    document.getElementById("text-card").hidden = d.status === "approved";
    const refusal = box.querySelector('[data-role="refusal"]');
    refusal.textContent = d.status === "pending" && !d.actionable ? d.refusal || "您现在不能审核这件稿件。"
      : d.status === "returned" && !d.revisable ? "稿件已退回提交人修改，等待重新提交。" : "";
    refusal.hidden = !refusal.textContent;
    decisionForm.hidden = !(d.status === "pending" && d.actionable);
    reviseForm.hidden = !(d.status === "returned" && d.revisable);
    if (formFor !== d.id + ":" + d.version) {
      formFor = d.id + ":" + d.version;
      resetForms(d);
    }
    renderText(d);
    renderTimeline(d);
    box.hidden = false;
  }

  // 打印审核单: the page prints as the review form an office files, with
  // the time it was printed (the print styles leave out what is for
  // working on screen).
  document.getElementById("print").addEventListener("click", () => window.print());
  window.addEventListener("beforeprint", () => {
    document.querySelector('[data-role="printed-at"]').textContent = GR.localTime(new Date().toISOString());
  });

  // 撤回稿件: the author takes back a submission still open, after saying
  // so a second time (the record stays; a new draft is a new submission).
  const withdrawBox = document.querySelector('[data-role="withdraw"]');
  function renderWithdraw(d) {
    withdrawBox.hidden = !d.withdrawable;
    if (!d.withdrawable) return;
    const start = el("button", { type: "button", class: "secondary small", text: "撤回稿件" });
    const confirm = el("button", { type: "button", class: "danger small", text: "确认撤回" });
    const cancel = el("button", { type: "button", class: "secondary small", text: "取消" });
    const ask = el("span", { hidden: true }, "撤回后审核人不再处理这件稿件。", confirm, " ", cancel);
    start.addEventListener("click", () => { start.hidden = true; ask.hidden = false; confirm.focus(); });
    cancel.addEventListener("click", () => { start.hidden = false; ask.hidden = true; start.focus(); });
    confirm.addEventListener("click", async () => {
      confirm.disabled = true;
      try {
        const next = await post(path + "/withdraw", { version: cur.version });
        say("稿件已撤回。");
        render(next);
      } catch (err) {
        confirm.disabled = false;
        if (err.status === 409 && err.current) render(err.current);
        showPageError(err.message);
      }
    });
    GR.fill(withdrawBox, start, ask);
  }

  function renderState(d) {
    const state = box.querySelector('[data-role="state"]');
    GR.fill(state,
      el("span", { class: "badge status-" + d.status, "data-role": "status", text: statusNames[d.status] || d.status }),
      d.status === "pending" ? el("span", { class: "badge neutral", "data-role": "level",
        text: levelName(d) + (d.levels > 1 ? "（第 " + d.level + "/" + d.levels + " 级）" : "") }) : null,
      d.actionable ? el("span", { class: "badge info", text: "轮到您审核" }) : null);
    const line = box.querySelector('[data-role="due-line"]');
    const left = new Date(d.deadline) - Date.now();
    line.className = "due-line";
    if (d.status === "approved") {
      line.textContent = "期限 " + GR.localTime(d.deadline) + "，已于 " + GR.localTime(d.approved_at) + " 通过审核。";
    } else if (d.status === "withdrawn") {
      line.textContent = "提交人已于 " + GR.localTime(d.withdrawn_at) + " 撤回，不再审核；审核记录保留。";
    } else if (d.due === "overdue") {
      line.textContent = "已逾期：期限 " + GR.localTime(d.deadline) + "，已超过 " + howLong(left) + "，请尽快处理。";
      line.classList.add("overdue");
    } else if (d.due === "due_soon") {
      line.textContent = "即将到期：期限 " + GR.localTime(d.deadline) + "，还剩 " + howLong(left) + "。";
      line.classList.add("due-soon");
    } else {
      line.textContent = "期限 " + GR.localTime(d.deadline) + "，还剩 " + howLong(left) + "。";
    }
    const rows = [
      ["科室", d.office || "本单位"], ["提交人", d.author], ["类别", d.class || "未分类"],
      ["形式", GR.kindName(d.kind)], ["提交时间", GR.localTime(d.created_at)], ["当前版本", "第 " + d.head + " 版"],
    ];
    GR.fill(box.querySelector(".sub-meta dl"), rows.map(([k, v]) => el("div", {}, el("dt", { text: k }), el("dd", { "data-field": k, text: v }))));
  }

  function renderPublishable(d) {
    const banner = box.querySelector('[data-role="publishable"]');
    banner.hidden = d.status !== "approved";
    if (banner.hidden) return;
    const last = d.decisions[d.decisions.length - 1];
    banner.querySelector(".publishable-by").textContent = "已通过全部审核" +
      (last ? "（" + levelName(last) + " " + last.reviewer + "，" + GR.localTime(last.at) + "）" : "") + "，请按以下文本发布。";
    banner.querySelector('[data-role="final-text"]').textContent = d.text;
    GR.fill(banner.querySelector(".actions"), GR.copyButton(() => cur.text));
  }

  // latestReturn is the return decision on the current text, if the
  // submission was returned and not revised since.
  function latestReturn(d) {
    const last = d.decisions[d.decisions.length - 1];
    return last && last.decision === "return" && last.version === d.head ? last : null;
  }

  // renderText shows the current text with the findings of its automatic
  // review marked, and the notes being written (or, once returned, the
  // reviewer's notes) marked too.
  function renderText(d) {
    const head = d.versions.find((v) => v.n === d.head) || d.versions[d.versions.length - 1];
    const rv = parseReview(head) || { findings: [], pass: true, score: 0, kind: d.kind };
    const ret = d.status === "returned" ? latestReturn(d) : null;
    const spans = ret ? ret.spans || [] : notes;
    const marks = spans.map((s, i) => ({ start: s.start, end: s.end, cls: "note", id: "n" + i,
      title: "批注：" + (s.input ? s.input.value : s.note) }))
      .concat(GR.findingMarks(rv, d.text));
    textView.replaceChildren(GR.marked(d.text, marks));
    const verdict = box.querySelector('[data-role="auto-verdict"]');
    GR.fill(verdict, el("span", { class: "hint", text: "自动审核：" }),
      el("span", { class: "score", text: rv.score + " 分" }),
      el("span", { class: "badge " + (rv.pass ? "pass" : "fail"), text: rv.pass ? "通过" : "未通过" }),
      GR.countBadge(d.text, d.kind),
      head && head.reason ? el("span", { class: "status", text: "提交理由：" + head.reason }) : null);
    box.querySelector("#text-card .findings").replaceWith(GR.findingsList(rv, "text", d.text));
    GR.linkMarks(document.getElementById("text-card"));
  }

  function resetForms(d) {
    decisionForm.reset();
    GR.clearErrors(decisionForm);
    GR.clearErrors(reviseForm);
    notes = [];
    spanList.replaceChildren();
    decisionForm.querySelector("#decision-title").textContent = "审核决定" + (d.levels > 1 ? "（" + levelName(d) + "）" : "");
    editText.value = d.text;
    editText.dispatchEvent(new Event("input"));
    document.getElementById("edit-approve").open = false;
    reviseText.value = d.text;
    reviseText.dispatchEvent(new Event("input"));
    reviseForm.elements.namedItem("reason").value = "";
    document.getElementById("reason-field").hidden = true;
    const ret = latestReturn(d);
    GR.fill(reviseForm.querySelector('[data-role="return-notes"]'), ret ? returnNotes(ret, d.text) : null);
  }

  // keepUnsent saves what a reviewer wrote in a decision that lost to
  // another (409): back into the form when they may still decide, else
  // shown beside the state that won, with a copy button.
  // read is the submission as the reviewer read it.
  function keepUnsent(req, read) {
    const unsent = document.querySelector('[data-role="unsent"]');
    const edited = req.decision === "edit_approve" && req.text !== read.text ? req.text : "";
    const notesText = req.spans.filter((s) => s.note).map((s) => "“" + slice(read.text, s.start, s.end) + "”：" + s.note);
    if (!decisionForm.hidden) {
      decisionForm.elements.namedItem("comment").value = req.comment;
      if (edited) editText.value = edited;
    }
    const lines = [req.comment && "意见：" + req.comment, ...notesText.map((n) => "批注" + n), edited && "修改稿：" + edited]
      .filter(Boolean);
    unsent.hidden = !lines.length;
    if (!lines.length) return;
    const all = lines.join("\n");
    GR.fill(unsent, el("p", {}, el("strong", { text: "您刚才填写但未生效的内容" }), "（已保留，可复制后使用）："),
      el("pre", { class: "unsent-text", text: all }), el("div", { class: "actions" }, GR.copyButton(() => all)));
  }

  // returnNotes shows what the reviewer who returned the text asked for.
  function returnNotes(ret, text) {
    return el("div", { class: "notice", "data-role": "return-notes-body" },
      el("p", {}, el("strong", { text: levelName(ret) + " " + ret.reviewer + " 退回修改" }), "（" + GR.localTime(ret.at) + "）"),
      ret.comment ? el("p", { "data-role": "return-comment", text: "意见：" + ret.comment }) : null,
      spanNotes(ret.spans, text));
  }

  function spanNotes(spans, text) {
    if (!spans || spans.length === 0) return null;
    return el("ul", { class: "span-notes" }, spans.map((s) => el("li", { "data-role": "span-note" },
      el("mark", { class: "note", text: slice(text, s.start, s.end) || "（全文）" }), "：", s.note || "")));
  }

  // Noting a span: the selection inside the text, in code points.
  function selectionInText() {
    const sel = document.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    const r = sel.getRangeAt(0);
    if (!textView.contains(r.startContainer) || !textView.contains(r.endContainer)) return null;
    const before = document.createRange();
    before.selectNodeContents(textView);
    before.setEnd(r.startContainer, r.startOffset);
    const start = chars(before.toString()).length;
    const end = start + chars(r.toString()).length;
    return end > start ? { start, end } : null;
  }

  document.addEventListener("selectionchange", () => { lastSelection = selectionInText(); });
  const annotate = document.getElementById("annotate");
  // Pressing the button must not clear the selection it is about.
  annotate.addEventListener("mousedown", (ev) => ev.preventDefault());
  annotate.addEventListener("click", () => {
    const s = selectionInText() || lastSelection;
    const hint = document.getElementById("annotate-hint");
    if (!s) {
      hint.textContent = "请先在上方文本中用鼠标选中要批注的文字。";
      hint.classList.add("warn");
      return;
    }
    hint.textContent = "在上方文本中选中文字，再点“批注所选文字”，写下意见。";
    hint.classList.remove("warn");
    const quote = slice(cur.text, s.start, s.end);
    const input = el("input", { name: "note", "aria-label": "对“" + quote + "”的批注", placeholder: "写下批注",
      "data-role": "span-input" });
    const note = { start: s.start, end: s.end, input };
    const item = el("li", { "data-role": "span", "data-start": s.start, "data-end": s.end },
      el("mark", { class: "note", text: quote }), input,
      el("button", { type: "button", class: "secondary small", text: "删除", "aria-label": "删除对“" + quote + "”的批注",
        onclick: () => {
          notes = notes.filter((n) => n !== note);
          item.remove();
          renderText(cur);
        } }));
    notes.push(note);
    spanList.append(item);
    document.getSelection().removeAllRanges();
    lastSelection = null;
    renderText(cur);
    input.focus();
  });

  decisionForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    GR.clearErrors(decisionForm);
    document.querySelector('[data-role="unsent"]').hidden = true;
    const decision = (ev.submitter && ev.submitter.value) || "approve";
    const checks = {};
    for (const k of Object.keys(checkNames)) checks[k] = decisionForm.elements.namedItem(k).checked;
    const req = {
      decision, version: cur.version, checks,
      comment: decisionForm.elements.namedItem("comment").value.trim(),
      spans: notes.map((n) => ({ start: n.start, end: n.end, note: n.input.value.trim() })),
    };
    if (decision === "edit_approve") req.text = editText.value;
    GR.busy(decisionForm, "正在提交…");
    try {
      const next = await post(path + "/decisions", req);
      GR.busy(decisionForm, "");
      say("已" + decisionNames[decision] + "（" + levelName(cur) + "）。" +
        (next.status === "approved" ? "稿件可以发布。" : next.status === "returned" ? "稿件已退回提交人修改。" : "已转入" + levelName(next) + "。"));
      render(next);
      document.getElementById("sub-title").focus();
    } catch (err) {
      GR.busy(decisionForm, "");
      if (err.status === 409 && err.current) {
        say("");
        const read = cur;
        render(err.current);
        showPageError(err.message + " 下面是稿件的最新状态。");
        keepUnsent(req, read);
        return;
      }
      GR.showError(decisionForm, err);
    }
  });

  reviseForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    GR.clearErrors(reviseForm);
    const reasonField = document.getElementById("reason-field");
    const req = { text: reviseText.value, version: cur.version };
    if (!reasonField.hidden) req.reason = reviseForm.elements.namedItem("reason").value.trim();
    GR.busy(reviseForm, "正在提交…");
    try {
      const next = await post(path + "/versions", req);
      GR.busy(reviseForm, "");
      say("修改稿已提交，等待" + levelName(next) + "。");
      render(next);
    } catch (err) {
      GR.busy(reviseForm, "");
      if (err.code === "reason_required") reasonField.hidden = false;
      if (err.status === 409 && err.current) {
        render(err.current);
        showPageError(err.message + " 下面是稿件的最新状态。");
        return;
      }
      GR.showError(reviseForm, err);
    }
  });

  // The timeline: versions and decisions in the order they happened. A
  // decision is on the version it names (an edit_approve names the
  // version it made), and a version follows every decision on the one
  // before it; times (to the millisecond in the browser) order the
  // decisions on one version.
  function renderTimeline(d) {
    const events = d.versions.map((v) => ({ n: v.n, order: 0, at: v.at, node: versionEvent(v, d) }))
      .concat(d.decisions.map((x) => ({ n: x.version, order: 1, at: x.at, node: decisionEvent(x, d) })));
    events.sort((a, b) => a.n - b.n || a.order - b.order || new Date(a.at) - new Date(b.at));
    GR.fill(box.querySelector('[data-role="timeline"]'), events.map((e) => e.node));
  }

  function versionEvent(v, d) {
    const edit = d.decisions.find((x) => x.decision === "edit_approve" && x.version === v.n);
    const what = v.n === 1 ? "提交审核（第 1 版）" : edit ? "审核人修改（第 " + v.n + " 版）" : "修改后重新提交（第 " + v.n + " 版）";
    const rv = parseReview(v);
    const diff = (d.diffs || []).find((x) => x.to === v.n);
    return el("li", { class: "event version", "data-role": "event", "data-kind": "version", "data-version": v.n },
      el("p", { class: "event-head" }, el("strong", { text: what }), " ",
        el("span", { "data-role": "who", text: v.author }), " ",
        el("time", { datetime: v.at, text: GR.localTime(v.at) })),
      rv ? el("p", { class: "hint", text: "自动审核 " + rv.score + " 分，" + (rv.pass ? "通过" : "未通过") +
        (rv.findings.length ? "，" + rv.findings.length + " 处问题" : "") }) : null,
      v.reason ? el("p", { text: "提交理由：" + v.reason }) : null,
      diff ? el("details", { class: "event-diff", open: true },
        el("summary", { text: "与第 " + diff.from + " 版比较" }), opsView(diff.ops)) : null);
  }

  function decisionEvent(x, d) {
    const ticked = Object.keys(checkNames).filter((k) => x.checks && x.checks[k]).map((k) => checkNames[k]);
    // The spans are on the text decided on: for a correction, the one before it.
    const on = x.decision === "edit_approve" ? x.version - 1 : x.version;
    const v = d.versions.find((y) => y.n === on);
    return el("li", { class: "event decision " + x.decision, "data-role": "event", "data-kind": "decision",
      "data-decision": x.decision, "data-reviewer": x.reviewer },
    el("p", { class: "event-head" },
      el("span", { class: "badge " + (x.decision === "return" ? "fail" : "pass"), text: decisionNames[x.decision] || x.decision }), " ",
      el("strong", { text: levelName(x) }), " ",
      el("span", { "data-role": "who", text: x.reviewer }), " ",
      el("time", { datetime: x.at, text: GR.localTime(x.at) })),
    x.comment ? el("p", { "data-role": "comment", text: "意见：" + x.comment }) : null,
    ticked.length ? el("p", { class: "hint", "data-role": "checks", text: "已确认：" + ticked.join("、") }) : null,
    spanNotes(x.spans, v ? v.text : ""));
  }

  // opsView shows a diff's operations: inserted text as ins, deleted as
  // del.
  function opsView(ops) {
    const out = el("div", { class: "diff", "data-role": "diff" });
    for (const o of ops || []) {
      if (o.op === "insert") out.append(el("ins", { text: o.text }));
      else if (o.op === "delete") out.append(el("del", { text: o.text }));
      else out.append(o.text);
    }
    return out;
  }

  load();
})();
