// 审核: POST /v1/review, the text with every finding marked by severity,
// the findings, and a one-click rewrite shown as a diff.
"use strict";

(function () {
  const { el, api } = GR;
  const form = document.getElementById("review-form");
  const result = document.getElementById("result");
  const rewriteButton = document.getElementById("rewrite");
  const rewriteOut = document.getElementById("rewrite-result");
  const rewriteErr = document.getElementById("rewrite-error");
  const fields = ["text", "post", "kind"];
  let reviewed = null; // {text, kind} of the review shown

  GR.keep(form, "review", fields);
  GR.bindCount(form.elements.namedItem("text"), document.getElementById("text-count"), form.elements.namedItem("kind"));

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    GR.clearErrors(form);
    const req = GR.formJSON(form, fields);
    if (!req.post.trim()) delete req.post;
    GR.busy(form, "正在审核…");
    try {
      const rv = await api("POST", "/v1/review", req);
      show(req.text, req.kind, rv);
      GR.busy(form, "");
    } catch (err) {
      GR.busy(form, "");
      GR.showError(form, err);
    }
  });

  function show(text, kind, rv) {
    reviewed = { text, kind };
    result.querySelector(".verdict").replaceWith(GR.verdict(rv, text));
    result.querySelector(".marked").replaceChildren(GR.marked(text, GR.findingMarks(rv, text)));
    result.querySelector(".findings").replaceWith(GR.findingsList(rv, "review", text));
    rewriteOut.hidden = true;
    rewriteErr.hidden = true;
    result.hidden = false;
    GR.linkMarks(result);
    document.getElementById("result-title").tabIndex = -1;
    document.getElementById("result-title").focus();
  }

  rewriteButton.addEventListener("click", async () => {
    if (!reviewed) return;
    rewriteButton.disabled = true;
    rewriteErr.hidden = true;
    const status = rewriteButton.parentElement.querySelector(".status");
    status.textContent = "正在改写…";
    try {
      const res = await api("POST", "/v1/rewrite", reviewed);
      GR.fill(rewriteOut, 
        el("h3", { text: "改写前后对比" }),
        res.changes.length ? GR.diffView(reviewed.text, res.changes)
          : el("p", { text: "原文已经通俗，没有需要改写的地方。" }),
        res.changes.length ? el("ol", { class: "changes" }, res.changes.map((c) =>
          el("li", {}, el("del", { text: c.before || "（无）" }), " → ", el("ins", { text: c.after || "（删去）" }),
            c.reason ? "：" + c.reason : ""))) : null,
        res.fallback ? el("p", { class: "notice", text: res.fallback }) : null,
        el("h3", { text: "改写稿" }),
        el("div", { class: "marked", "data-role": "rewrite-text" }, GR.marked(res.text, GR.findingMarks(res.review, res.text))),
        GR.verdict(res.review, res.text),
        el("div", { class: "actions" }, GR.copyButton(() => res.text),
          el("button", { type: "button", class: "secondary small", text: "用改写稿替换原文",
            onclick: () => {
              const ta = form.elements.namedItem("text");
              ta.value = res.text;
              ta.dispatchEvent(new Event("input", { bubbles: true }));
              ta.focus();
            } })));
      rewriteOut.hidden = false;
      status.textContent = "";
    } catch (err) {
      status.textContent = "";
      rewriteErr.textContent = err.message;
      rewriteErr.hidden = false;
    } finally {
      rewriteButton.disabled = false;
    }
  });
})();
