// 起草: POST /v1/drafts, then each draft with its review marked in the
// text, its placeholders, citations, a copy button and 改写.
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
      showDrafts(res, req.kind, req.post);
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

  function showDrafts(res, kind, post) {
    draftsBox.replaceChildren();
    if (res.drafts.length === 0) {
      draftsBox.append(el("p", { class: "notice", text: "没有生成草稿，请补充原帖或情况后重试。" }));
      return;
    }
    res.drafts.forEach((d, i) => draftsBox.append(draftCard(d, i, kind, post)));
    draftsBox.querySelector(".draft h2").focus();
  }

  // draftCard shows one draft: text with findings and 【待核实】
  // placeholders marked, verdict, findings, citations, copy, 改写, and
  // 编辑: the text in a box with a live count, reviewed again on request
  // (POST /v1/review with the citizen's post), so an official can finish
  // the draft here.
  function draftCard(d, i, kind, post) {
    const id = "draft-" + (i + 1);
    const cur = { text: d.text, review: d.review, check: d.check };
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
    card.append(...citations, el("div", { class: "actions" }, GR.copyButton(() => cur.text), edit, rewrite), errLine, out);

    function show() {
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
      GR.fill(body, box, count, el("div", { class: "actions" }, again, cancel));
      box.focus();
    }

    show();
    return card;
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
