// 审核队列: GET /v1/submissions in four views (待我审核, 全部, 已退回,
// 可发布), soonest deadline first as the server sends them, paged with
// limit/offset. Each row links to the submission's page.
"use strict";

(function () {
  const { el, api } = GR;
  const views = {
    mine: { status: "pending" },
    all: { scope: "all" },
    returned: { status: "returned", scope: "all" },
    approved: { status: "approved", scope: "all" },
  };
  const empty = {
    mine: "没有等待审核的稿件。", all: "还没有稿件。", returned: "没有被退回的稿件。", approved: "没有可发布的稿件。",
  };
  const statusNames = { pending: "待审核", returned: "已退回", approved: "可发布", withdrawn: "已撤回" };

  const params = new URLSearchParams(location.search);
  const view = Object.hasOwn(views, params.get("view")) ? params.get("view") : "mine";
  const offset = Math.max(0, parseInt(params.get("offset"), 10) || 0);
  const pageSize = Math.min(100, Math.max(1, parseInt(params.get("limit"), 10) || 20));
  const list = document.getElementById("queue");
  const status = document.getElementById("queue-status");
  const errorLine = document.getElementById("queue-error");
  const pager = document.getElementById("pager");

  for (const a of document.querySelectorAll(".queue-tabs a")) {
    if (a.dataset.view === view) a.setAttribute("aria-current", "page");
  }

  const howLong = GR.howLong;

  // dueBadge says how a submission stands against its deadline.
  function dueBadge(s) {
    if (s.status === "approved" || s.status === "withdrawn") return null;
    const left = new Date(s.deadline) - Date.now();
    if (s.due === "overdue") return el("span", { class: "badge due-overdue", "data-role": "due", text: "已逾期 " + howLong(left) });
    if (s.due === "due_soon") return el("span", { class: "badge due-soon", "data-role": "due", text: "即将到期 · 剩余 " + howLong(left) });
    return el("span", { class: "badge neutral", "data-role": "due", text: "剩余 " + howLong(left) });
  }

  function excerpt(text, n) {
    const chars = Array.from((text || "").replace(/\s+/g, " ").trim());
    return chars.length > n ? chars.slice(0, n).join("") + "…" : chars.join("");
  }

  function row(s) {
    const kind = [s.class, GR.kindName(s.kind)].filter(Boolean).join(" · ");
    return el("li", { class: "q-item" + (s.status === "pending" && s.due !== "fine" ? " " + s.due : ""),
      "data-role": "submission", "data-id": s.id, "data-status": s.status, "data-due": s.due },
    el("div", { class: "q-head" },
      el("a", { class: "q-id", href: "/queue/submission?id=" + encodeURIComponent(s.id), text: "第 " + s.id + " 号稿件" }),
      el("span", { class: "badge status-" + s.status, "data-role": "status", text: statusNames[s.status] || s.status }),
      s.status === "pending" ? el("span", { class: "badge neutral", "data-role": "level", text: s.level_name || "第 " + s.level + " 级" }) : null,
      s.actionable ? el("span", { class: "badge info", text: "轮到您审核" }) : null,
      dueBadge(s)),
    el("p", { class: "q-text", "data-role": "excerpt", text: excerpt(s.text, 90) }),
    s.post ? el("p", { class: "q-post" }, el("span", { class: "q-label", text: "原帖 " }), excerpt(s.post, 50)) : null,
    el("p", { class: "q-meta" },
      el("span", { text: "期限 " + GR.localTime(s.deadline) }),
      s.status === "approved" && s.approved_at ? el("span", { text: "通过于 " + GR.localTime(s.approved_at) }) : null,
      el("span", { text: "科室 " + (s.office || "本单位") }),
      el("span", { text: "提交人 " + s.author }),
      kind ? el("span", { text: kind }) : null));
  }

  function pageLink(label, at, rel) {
    const q = new URLSearchParams();
    if (view !== "mine") q.set("view", view);
    if (at > 0) q.set("offset", String(at));
    if (params.has("limit")) q.set("limit", String(pageSize));
    const qs = q.toString();
    return el("a", { class: "button secondary", rel, href: "/queue" + (qs ? "?" + qs : ""), text: label });
  }

  async function load() {
    status.textContent = "正在载入…";
    const q = new URLSearchParams(views[view]);
    q.set("limit", String(pageSize));
    q.set("offset", String(offset));
    try {
      const res = await api("GET", "/v1/submissions?" + q);
      const rows = res.submissions || [];
      const total = typeof res.total === "number" ? res.total : offset + rows.length;
      GR.fill(list, rows.map(row));
      status.textContent = rows.length
        ? "共 " + total + " 件" + (total > rows.length ? "，显示第 " + (offset + 1) + "–" + (offset + rows.length) + " 件" : "")
        : empty[view];
      GR.fill(pager,
        offset > 0 ? pageLink("上一页", Math.max(0, offset - pageSize), "prev") : null,
        offset + rows.length < total ? pageLink("下一页", offset + pageSize, "next") : null);
      pager.hidden = pager.childElementCount === 0;
    } catch (err) {
      status.textContent = "";
      errorLine.textContent = "无法载入审核队列：" + err.message;
      errorLine.hidden = false;
    }
  }

  load();
})();
