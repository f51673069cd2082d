// 起草: POST /v1/drafts, then each draft with its review marked in the
// text, its placeholders, citations, a copy button, 改写 and 提交审核
// (POST /v1/submissions, with a written reason when the draft has an
// error finding).
"use strict";

(function () {
  const { el, api } = GR;
  const form = document.getElementById("draft-form");
  const analysisBox = document.getElementById("analysis");
  const draftsBox = document.getElementById("drafts");
  const fields = ["post", "facts", "kind", "tone"];

  GR.keep(form, "draft", fields);

  const classNames = { 投诉: "投诉", 咨询: "咨询", 建议: "建议", 求助: "求助", 谣言: "谣言", 表扬: "表扬", 发布: "发布请求" };
  const emotionNames = { calm: "平静", dissatisfied: "不满", angry: "愤怒", frightened: "惊慌" };
  const wantNames = { information: "想了解情况", action: "要求办事", response: "要个说法", pass_on: "请代为转达" };

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    GR.clearErrors(form);
    const req = GR.formJSON(form, fields);
    GR.busy(form, "正在起草…");
    try {
      const res = await api("POST", "/v1/drafts", req);
      showAnalysis(res);
      showDrafts(res, req);
      GR.busy(form, "");
      form.querySelector(".status").textContent = "已生成 " + res.drafts.length + " 条草稿";
    } catch (err) {
      GR.busy(form, "");
      GR.showError(form, err);
    }
  });

  function showAnalysis(res) {
    const dl = analysisBox.querySelector("dl");
    dl.replaceChildren();
    const a = res.analysis;
    const rows = [["类别", classNames[res.classification] || res.classification || "未识别"]];
    if (a) {
      if (a.subject) rows.push(["事由", a.subject]);
      if (a.place) rows.push(["地点", a.place]);
      if (a.duration) rows.push(["持续", a.duration]);
      if (a.wants) rows.push(["诉求", wantNames[a.wants] || a.wants]);
      if (a.emotion) rows.push(["情绪", emotionNames[a.emotion] || a.emotion]);
      rows.push(["紧急", a.urgent ? "是：人身或财产正处危险中，回复先给急救和报警电话" : "否"]);
    }
    for (const [k, v] of rows) dl.append(el("dt", { text: k }), el("dd", { "data-field": k, text: v }));
    const verify = document.getElementById("to-verify");
    const list = verify.querySelector("ul");
    list.replaceChildren(...res.to_verify.map((t) => el("li", { "data-role": "to-verify", text: t })));
    verify.hidden = res.to_verify.length === 0;
    analysisBox.hidden = false;
  }

  // The classes a submission's deadline and review know (the reviewer's;
  // a staff request to publish, 发布, is none of them).
  const reviewClasses = GR.data.classes;

  function showDrafts(res, req) {
    const source = { post: req.post, facts: req.facts, kind: req.kind,
      class: reviewClasses.includes(res.classification) ? res.classification : "" };
    draftsBox.replaceChildren();
    if (res.drafts.length === 0) {
      draftsBox.append(el("p", { class: "notice", text: "没有生成草稿，请补充原帖或情况后重试。" }));
      return;
    }
    res.drafts.forEach((d, i) => draftsBox.append(draftCard(d, i, source)));
    draftsBox.querySelector(".draft h2").focus();
  }

  // draftCard shows one draft: text with findings and 【待核实】
  // placeholders marked, verdict, findings, citations, copy, 改写, and
  // 编辑: the text in a box with a live count, reviewed again on request
  // (POST /v1/review with the citizen's post), so an official can finish
  // the draft here, and submit it for review.
  function draftCard(d, i, source) {
    const { kind, post } = source;
    const id = "draft-" + (i + 1);
    const cur = { text: d.text, review: d.review, check: d.check, editBox: null };
    const head = el("div", { class: "draft-head" },
      el("h2", { id: id + "-h", tabindex: "-1", text: "草稿 " + (i + 1) + (d.style ? "（" + d.style + "）" : "") }));
    const body = el("div", { class: "draft-body" });
    const card = el("article", { class: "card draft", "data-role": "draft", id, "aria-labelledby": id + "-h" }, head, body);
    const citations = d.citations.length ? [el("h3", { text: "依据" }), el("ol", { class: "citations" }, d.citations.map((c) =>
      el("li", {}, el("a", { href: GR.documentURL(c.doc, c.section), "data-role": "citation",
        text: c.title + (c.section ? " · " + c.section : "") }))))] : [];
    const out = el("div", { class: "rewrite-out" });
    const errLine = el("p", { class: "form-error", role: "alert", hidden: true });
    const rewrite = el("button", { type: "button", class: "secondary small", text: "改写为通俗表达" });
    rewrite.addEventListener("click", () => doRewrite(cur.text, kind, rewrite, out, errLine));
    const edit = el("button", { type: "button", class: "secondary small", text: "编辑" });
    edit.addEventListener("click", () => startEdit());
    card.append(...citations, el("div", { class: "actions" }, GR.copyButton(() => cur.text), edit, rewrite), errLine, out,
      submitForm(id, source, () => (cur.editBox ? cur.editBox.value : cur.text)));

    function show() {
      cur.editBox = null;
      const holes = GR.placeholders(cur.text);
      const marks = GR.findingMarks(cur.review, cur.text).concat(holes.map((h, j) => ({
        start: h.start, end: h.end, cls: "verify", id: "v" + j, title: "待核实：发布前请填写或核对",
      })));
      const verdict = head.querySelector(".verdict");
      if (verdict) verdict.remove();
      head.append(GR.verdict(cur.review, cur.text));
      GR.fill(body,
        el("div", { class: "marked", "data-role": "draft-text" }, GR.marked(cur.text, marks)),
        holes.length ? el("p", { class: "notice", "data-role": "placeholders" },
          "发布前请填写或核对：", holes.map((h) => h.text).join("、")) : null,
        cur.check && !cur.check.pass ? el("ul", { class: "notice" },
          cur.check.problems.map((p) => el("li", { text: p }))) : null,
        GR.findingsList(cur.review, id, cur.text));
      GR.linkMarks(card);
    }

    function startEdit() {
      const box = el("textarea", { name: "text", rows: 6, "aria-label": "编辑草稿 " + (i + 1), "data-role": "draft-edit" });
      box.value = cur.text;
      const count = el("p", { class: "count", "aria-live": "polite" });
      const kindOf = { value: kind, addEventListener() {} }; // the kind is fixed for a draft
      GR.bindCount(box, count, kindOf);
      const again = el("button", { type: "button", class: "primary small", text: "重新审核" });
      const cancel = el("button", { type: "button", class: "secondary small", text: "取消" });
      cancel.addEventListener("click", () => { edit.disabled = false; show(); });
      again.addEventListener("click", async () => {
        again.disabled = true;
        errLine.hidden = true;
        try {
          const req = { text: box.value, kind };
          if (post) req.post = post;
          cur.review = await api("POST", "/v1/review", req);
          cur.text = box.value;
          cur.check = null; // the drafter's own check was of its text
          edit.disabled = false;
          show();
        } catch (err) {
          errLine.textContent = err.message; // the edited text stays in the box
          errLine.hidden = false;
          again.disabled = false;
        }
      });
      edit.disabled = true;
      cur.editBox = box;
      GR.fill(body, box, count, el("div", { class: "actions" }, again, cancel));
      box.focus();
    }

    show();
    return card;
  }

  // submitForm is a draft's 提交审核: POST /v1/submissions with the post,
  // facts, kind and class it was drafted for and its current text (the
  // edited text while it is being edited). A draft with an error finding
  // needs a written reason: the server says so (reason_required) and the
  // form asks for it before submitting again.
  function submitForm(id, source, text) {
    const reasonId = id + "-reason";
    const reason = el("div", { class: "field", hidden: true },
      el("label", { for: reasonId, text: "提交理由" }),
      el("textarea", { id: reasonId, name: "reason", rows: 2, "aria-describedby": reasonId + "-error",
        placeholder: "例：“保证”一词经领导同意保留。" }),
      el("p", { class: "field-error", id: reasonId + "-error", "data-error-for": "reason", role: "alert", hidden: true }));
    const button = el("button", { type: "submit", class: "primary small", text: "提交审核" });
    const form = el("form", { class: "submit-review", id: id + "-submit", "data-role": "submit-review", novalidate: true },
      reason,
      el("div", { class: "actions" }, button, el("span", { class: "status", role: "status", "aria-live": "polite" })),
      el("p", { class: "form-error", "data-error-for": "", role: "alert", hidden: true }));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      GR.clearErrors(form);
      const req = { post: source.post, facts: source.facts, kind: source.kind, text: text() };
      // A reviewer should not get a text with blanks the drafter left
      // (【待核实：…】): they are the editor's to fill in first.
      const blanks = GR.placeholders(req.text).filter((p) => p.text.startsWith("【待核实"));
      if (blanks.length) {
        GR.showError(form, { code: "", message: "稿件中还有待核实的内容（" + blanks.map((p) => p.text).join("、") +
          "），请先点“编辑”填好再提交审核。" });
        return;
      }
      if (source.class) req.class = source.class;
      if (!reason.hidden) req.reason = form.elements.namedItem("reason").value.trim();
      GR.busy(form, "正在提交…");
      try {
        const res = await api("POST", "/v1/submissions", req);
        GR.fill(form, el("p", { class: "notice ok", "data-role": "submitted" },
          "已提交审核（第 " + res.id + " 号）。",
          el("a", { href: "/queue/submission?id=" + encodeURIComponent(res.id), text: "查看审核进度" })));
      } catch (err) {
        GR.busy(form, "");
        if (err.code === "reason_required") {
          reason.hidden = false;
          button.textContent = "确认提交";
        }
        GR.showError(form, err);
      }
    });
    return form;
  }

  async function doRewrite(text, kind, button, out, errLine) {
    button.disabled = true;
    errLine.hidden = true;
    try {
      const res = await api("POST", "/v1/rewrite", { text, kind });
      GR.fill(out, 
        el("h3", { text: "改写结果" }),
        res.changes.length ? GR.diffView(text, res.changes) : el("p", { text: "原文已经通俗，没有需要改写的地方。" }),
        res.fallback ? el("p", { class: "notice", text: res.fallback }) : null,
        el("div", { class: "marked", "data-role": "rewrite-text" }, GR.marked(res.text, GR.findingMarks(res.review, res.text))),
        GR.verdict(res.review, res.text),
        el("div", { class: "actions" }, GR.copyButton(() => res.text)));
    } catch (err) {
      errLine.textContent = err.message;
      errLine.hidden = false;
    } finally {
      button.disabled = false;
    }
  }
})();
