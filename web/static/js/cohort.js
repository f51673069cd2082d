// 培训管理: GET /v1/training/cohort — completion, averages by topic (a
// chart), the most common mistakes; CSV export.
"use strict";

(function () {
  const { el, api } = GR;
  api("GET", "/v1/training/cohort").then((c) => {
    document.getElementById("topic-chart").replaceChildren(c.topics.length
      ? GR.barChart(c.topics.map((t) => ({ label: t.topic, value: t.average })), 100)
      : el("p", { text: "还没有学员作答。" }));
    document.querySelector("table.cohort tbody").replaceChildren(...c.trainees.map((r) => el("tr", { "data-role": "trainee" },
      el("td", { text: r.trainee }), el("td", { class: "num", text: String(r.attempts) }), el("td", { class: "num", text: String(r.completed) }),
      el("td", { class: "num", text: r.completion + "%" }), el("td", { class: "num", text: String(r.average) }),
      el("td", { text: GR.localTime(r.last) }))));
    document.getElementById("mistakes").replaceChildren(...c.mistakes.map((m) => el("li", { text: GR.categoryName(m.mistake) + "（" + m.count + " 次）" })));
  }).catch((err) => {
    const e = document.getElementById("cohort-error");
    e.textContent = "无法载入：" + err.message;
    e.hidden = false;
  });
})();
