// 培训: drills (GET /v1/training/scenarios, POST /v1/training/attempts),
// quizzes (GET /v1/training/quiz, POST /v1/training/quiz/answers: the
// questions arrive without answers) and my progress (GET
// /v1/training/progress).
"use strict";

(function () {
  const { el, api } = GR;
  const diffNames = { 1: "入门", 2: "进阶", 3: "困难" };
  const typeNames = { single: "单选", multiple: "多选", truefalse: "判断", find: "找问题" };

  // Tabs.
  const tabs = ["drill", "quiz", "progress"];
  function show(name) {
    for (const t of tabs) {
      document.getElementById("tab-" + t).setAttribute("aria-selected", String(t === name));
      document.getElementById("panel-" + t).hidden = t !== name;
    }
    if (name === "progress") loadProgress();
  }
  for (const t of tabs) document.getElementById("tab-" + t).addEventListener("click", () => show(t));

  // Drills.
  const pick = document.getElementById("pick-form");
  const drill = document.getElementById("drill-form");
  const kindSel = { value: "comment", addEventListener() {} }; // the kind is the scenario's
  let scenarios = [];
  let current = null;
  GR.keep(drill, "training", ["text"]);
  const updateCount = GR.bindCount(drill.elements.namedItem("text"), document.getElementById("drill-count"), kindSel);

  async function loadScenarios() {
    const res = await api("GET", "/v1/training/scenarios");
    scenarios = res.scenarios;
    for (const id of ["drill-topic", "quiz-topic"]) {
      document.getElementById(id).append(...res.topics.map((t) => el("option", { value: t.name || t, text: t.name || t })));
    }
    fillScenarios();
  }

  function fillScenarios() {
    const f = GR.formJSON(pick, ["topic", "difficulty"]);
    const list = scenarios.filter((s) => (!f.topic || s.topics.includes(f.topic)) && (!f.difficulty || String(s.difficulty) === f.difficulty));
    const sel = pick.elements.namedItem("scenario");
    const keep = sel.value || new URLSearchParams(location.search).get("scenario");
    sel.replaceChildren(...list.map((s) => el("option", { value: s.id, text: s.title + "（" + GR.kindName(s.kind) + "，" + diffNames[s.difficulty] + "）" })));
    if (keep && list.some((s) => s.id === keep)) sel.value = keep;
    choose(sel.value);
  }

  function choose(id) {
    current = scenarios.find((s) => s.id === id) || null;
    if (!current) return;
    document.getElementById("scenario-title").textContent = current.title;
    document.getElementById("scenario-meta").textContent = [GR.kindName(current.kind), diffNames[current.difficulty], current.topics.join("、")].join(" · ");
    document.getElementById("scenario-post").textContent = current.post;
    document.getElementById("scenario-known").replaceChildren(...current.known.map((k) => el("li", { text: k })));
    kindSel.value = current.kind;
    updateCount();
    document.getElementById("drill-result").hidden = true;
  }

  pick.addEventListener("change", (ev) => {
    if (ev.target.name === "scenario") choose(ev.target.value);
    else fillScenarios();
  });

  drill.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    GR.clearErrors(drill);
    if (!current) return;
    GR.busy(drill, "正在评分…");
    try {
      const res = await api("POST", "/v1/training/attempts", { scenario: current.id, text: drill.elements.namedItem("text").value });
      GR.busy(drill, "");
      showGrade(res, drill.elements.namedItem("text").value);
    } catch (err) {
      GR.busy(drill, "");
      GR.showError(drill, err);
    }
  });

  function showGrade(res, text) {
    const box = document.getElementById("drill-result");
    GR.fill(box,
      el("h2", { text: "评分结果" }),
      el("div", { class: "verdict" }, el("span", { class: "score", "data-role": "score", text: res.score + " 分" }),
        el("span", { class: "badge " + (res.score >= 70 ? "pass" : "fail"), text: res.score >= 70 ? "达标" : "未达标" }),
        res.message ? el("span", { class: "status", text: res.message }) : null),
      res.explanation ? el("p", { class: "bubble", "data-role": "explanation" }, el("strong", { text: "讲评：" }), res.explanation) : null,
      res.explanation_error ? el("p", { class: "notice", text: res.explanation_error }) : null,
      el("h3", { text: "要点" }),
      el("ul", { class: "elements" }, res.elements.map((e) => el("li", { "data-role": "element", "data-met": String(e.met) },
        el("span", { class: e.met ? "met" : "miss", text: e.met ? "✓ " : "✗ " }), el("strong", { text: e.name }), "：",
        e.met ? (e.evidence || []).map((sp) => "“" + sp.text + "”").join("、") || "做到了" : e.reason || "",
        e.source && e.source.doc ? el("span", {}, " ", el("a", { href: GR.documentURL(e.source.doc, e.source.section), text: "依据" })) : null))),
      res.review && res.review.findings.length ? [el("h3", { text: "审核发现" }),
        el("div", { class: "marked" }, GR.marked(text, GR.findingMarks(res.review, text))), GR.findingsList(res.review, "drill", text)] : null,
      el("h3", { text: "范文" }), el("p", { class: "bubble", "data-role": "model-reply", text: res.model_reply }),
      res.outcome ? [el("h3", { text: "案例结果" }), el("p", { text: res.outcome })] : null,
      res.lessons && res.lessons.length ? [el("h3", { text: "经验教训" }), el("ul", {}, res.lessons.map((l) => el("li", { text: l })))] : null,
      res.read && res.read.length ? [el("h3", { text: "建议阅读" }), el("ul", {}, res.read.map((r) =>
        el("li", {}, el("a", { href: GR.documentURL(r.doc, r.section), text: "《" + r.title + "》 › " + r.section }))))] : null);
    box.hidden = false;
    GR.linkMarks(box);
    box.querySelector("h2").tabIndex = -1;
    box.querySelector("h2").focus();
  }

  // Quizzes.
  const start = document.getElementById("quiz-start");
  const quizForm = document.getElementById("quiz-form");
  let questions = [];

  async function startQuiz(query) {
    GR.clearErrors(start);
    try {
      const res = await api("GET", "/v1/training/quiz?" + query);
      questions = res.questions;
      quizForm.querySelector(".quiz").replaceChildren(...questions.map(questionItem));
      quizForm.hidden = false;
      document.getElementById("quiz-result").hidden = true;
    } catch (err) {
      GR.showError(start, err);
    }
  }
  start.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = GR.formJSON(start, ["n", "topic", "difficulty"]);
    startQuiz(new URLSearchParams(Object.entries(f).filter(([, v]) => v)).toString());
  });
  document.getElementById("placement").addEventListener("click", () => startQuiz("placement=1&n=20"));

  function questionItem(q, i) {
    const name = "q" + i;
    const body = q.type === "find"
      ? [el("p", { class: "marked", text: q.text }),
        el("label", {}, "有问题的词句（照原文抄写，多处用“、”分隔）：", el("input", { name, "data-find": "1", "aria-label": "第 " + (i + 1) + " 题的答案" }))]
      : q.options.map((o, j) => el("label", {}, el("input", { type: q.type === "multiple" ? "checkbox" : "radio", name, value: j }), o));
    return el("li", { "data-role": "question", "data-id": q.id },
      el("p", {}, el("span", { class: "badge neutral", text: typeNames[q.type] }), " ", q.stem), body);
  }

  function spansOf(text, marked) {
    const out = [];
    for (const p of marked.split("、").map((x) => x.trim()).filter(Boolean)) {
      const i = text.indexOf(p);
      if (i >= 0) {
        const s = Array.from(text.slice(0, i)).length;
        out.push({ start: s, end: s + Array.from(p).length });
      }
    }
    return out;
  }

  quizForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    GR.clearErrors(quizForm);
    const answers = questions.map((q, i) => {
      const name = "q" + i;
      if (q.type === "find") {
        return { id: q.id, spans: spansOf(q.text, quizForm.querySelector('input[name="' + name + '"]').value) };
      }
      return { id: q.id, choice: [...quizForm.querySelectorAll('input[name="' + name + '"]:checked')].map((c) => Number(c.value)) };
    });
    GR.busy(quizForm, "正在判分…");
    try {
      const res = await api("POST", "/v1/training/quiz/answers", { answers });
      GR.busy(quizForm, "");
      const box = document.getElementById("quiz-result");
      GR.fill(box, el("h2", { text: "测验结果" }),
        el("div", { class: "verdict" }, el("span", { class: "score", "data-role": "score", text: res.score + " 分" }),
          el("span", { class: "status", text: "答对 " + res.correct + "/" + res.total + " 题" })),
        el("ol", { class: "findings" }, res.results.map((r) => el("li", { "data-role": "quiz-result", "data-correct": String(r.correct) },
          el("span", { class: "badge " + (r.correct ? "pass" : "fail"), text: r.correct ? "正确" : "错误" }), " ", r.explanation, " ",
          el("a", { href: GR.documentURL(r.source.doc, r.source.section), text: "依据" })))));
      box.hidden = false;
    } catch (err) {
      GR.busy(quizForm, "");
      GR.showError(quizForm, err);
    }
  });

  // My progress, and the 新人入门 path.
  const stepNames = { read: "阅读", quiz: "测验", drill: "练习" };
  function pathView(path) {
    return [el("h3", { text: "新人入门路线（已完成 " + path.done + "/" + path.total + " 步）" }),
      el("ol", { class: "path" }, path.steps.map((s, i) => el("li", { "data-role": "path-step", "data-done": String(s.done),
        class: i === path.next ? "next" : null },
      el("span", { class: "badge " + (s.done ? "pass" : "neutral"), text: s.done ? "已完成" : stepNames[s.kind] }), " ",
      s.kind === "read" ? el("a", { href: GR.documentURL(s.source.doc, s.source.section), text: s.title })
        : el("button", { type: "button", class: "link-like", text: s.title, onclick: () => go(s) }))))];
  }
  function go(step) {
    if (step.kind === "drill") {
      show("drill");
      pick.elements.namedItem("topic").value = "";
      pick.elements.namedItem("difficulty").value = "";
      fillScenarios();
      pick.elements.namedItem("scenario").value = step.scenario;
      choose(step.scenario);
    } else {
      show("quiz");
      start.elements.namedItem("topic").value = step.topic;
      start.elements.namedItem("n").value = "5";
      start.requestSubmit();
    }
  }

  async function loadProgress() {
    const box = document.getElementById("progress");
    try {
      const [p, path] = await Promise.all([api("GET", "/v1/training/progress"), api("GET", "/v1/training/path")]);
      GR.fill(box, el("h2", { text: "我的进度" }), pathView(path),
        el("p", { "data-role": "progress-summary", text: "作答 " + p.attempts + " 次（练习 " + p.drills + "，测验题 " + p.quizzes + "），平均 " + p.average + " 分" }),
        p.topics.length ? [el("h3", { text: "各主题平均分（薄弱的在前）" }), GR.barChart(p.topics.map((t) => ({ label: t.topic, value: t.average })), 100)] : null,
        p.mistakes.length ? [el("h3", { text: "常犯的错误" }), el("ul", {}, p.mistakes.map((m) => el("li", { text: GR.categoryName(m.mistake) + "（" + m.count + " 次）" })))] : null,
        el("h3", { text: "今天该复习的" }),
        p.due.length ? el("ul", {}, p.due.map((c) => el("li", { text: (c.kind === "drill" ? "练习 " : "测验题 ") + c.item }))) : el("p", { text: "没有到期的内容。" }));
    } catch (err) {
      GR.fill(box, el("p", { class: "form-error", text: "无法载入进度：" + err.message }));
    }
  }

  loadScenarios().catch((err) => {
    document.getElementById("scenario-title").textContent = "无法载入练习场景：" + err.message;
  });
})();
