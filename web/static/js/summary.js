// 每日统计: GET /v1/submissions/summary?days=N — per office and day, the
// submissions received, approved, returned and overdue, and the median
// time from submission to approval; the same as CSV.
"use strict";

(function () {
  const { el, api } = GR;
  const form = document.getElementById("summary-form");
  const days = form.elements.namedItem("days");
  const csv = document.getElementById("summary-csv");
  const tbody = document.querySelector("table.summary tbody");

  const initial = new URLSearchParams(location.search).get("days");
  if ([...days.options].some((o) => o.value === initial)) days.value = initial;

  // median says seconds in hours and minutes ("—" when nothing was
  // approved).
  function median(s, approved) {
    if (!approved) return "—";
    const m = Math.round(s / 60);
    if (m < 1) return "不到 1 分钟";
    const h = Math.floor(m / 60);
    return h ? h + " 小时" + (m % 60 ? " " + (m % 60) + " 分" : "") : m + " 分钟";
  }

  const num = (n, cls) => el("td", { class: "num" + (cls ? " " + cls : ""), text: String(n || 0) });

  async function load() {
    GR.clearErrors(form);
    const q = new URLSearchParams({ days: days.value });
    csv.href = "/v1/submissions/summary?" + new URLSearchParams({ days: days.value, format: "csv" });
    history.replaceState(null, "", "/queue/summary?" + q);
    GR.busy(form, "正在统计…");
    try {
      const res = await api("GET", "/v1/submissions/summary?" + q);
      const rows = res.summaries || [];
      GR.fill(tbody, rows.length ? rows.map((r) => el("tr", { "data-role": "summary-row", "data-office": r.office, "data-day": r.day },
        el("th", { scope: "row", text: r.office || "本单位" }), el("td", { text: r.day }),
        num(r.received), num(r.approved), num(r.returned), num(r.overdue, r.overdue > 0 ? "overdue" : ""),
        el("td", { class: "num", text: median(r.median_to_approve_seconds, r.approved) })))
        : el("tr", {}, el("td", { colspan: 7, class: "empty", text: "所选期间没有稿件。" })));
      GR.busy(form, "");
    } catch (err) {
      GR.busy(form, "");
      GR.showError(form, err);
    }
  }

  days.addEventListener("change", () => form.requestSubmit());
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    load();
  });
  load();
})();
