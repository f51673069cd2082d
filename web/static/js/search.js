// 命中测试: GET /v1/search with a mode, each hit with its fused score,
// vector rank, text rank and heading path. The query lives in the URL.
"use strict";

(function () {
  const { el, api } = GR;
  const form = document.getElementById("search-form");
  const hitsBox = document.querySelector(".hits");
  const collectionSelect = document.getElementById("collection");
  const modeNames = { hybrid: "混合", vector: "向量", text: "全文" };

  const params = new URLSearchParams(location.search);
  form.elements.namedItem("q").value = params.get("q") || "";
  if (params.get("k")) form.elements.namedItem("k").value = params.get("k");
  for (const r of form.querySelectorAll('input[name="mode"]')) r.checked = r.value === (params.get("mode") || "hybrid");

  GR.collections(collectionSelect).then(() => {
    if (params.get("collection")) collectionSelect.value = params.get("collection");
    if (form.elements.namedItem("q").value.trim()) run();
  }).catch(() => {
    // The list of collections is a convenience; searching still works.
    if (form.elements.namedItem("q").value.trim()) run();
  });

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    run();
  });
  for (const r of form.querySelectorAll('input[name="mode"]')) {
    r.addEventListener("change", () => { if (form.elements.namedItem("q").value.trim()) run(); });
  }

  async function run() {
    GR.clearErrors(form);
    const q = form.elements.namedItem("q").value.trim();
    if (!q) {
      GR.showError(form, { code: "empty_q", message: "请输入要检索的问题或关键词。" });
      return;
    }
    const mode = form.querySelector('input[name="mode"]:checked').value;
    const p = new URLSearchParams({ q, k: form.elements.namedItem("k").value, mode });
    if (collectionSelect.value) p.set("collection", collectionSelect.value);
    history.replaceState(null, "", location.pathname + "?" + p);
    GR.busy(form, "正在检索…");
    const t0 = performance.now();
    try {
      const res = await api("GET", "/v1/search?" + p);
      show(res.hits);
      GR.busy(form, "");
      form.querySelector(".status").textContent = res.hits.length + " 条结果，用时 " + Math.round(performance.now() - t0) + " 毫秒";
    } catch (err) {
      GR.busy(form, "");
      GR.showError(form, err);
    }
  }

  function show(hits) {
    hitsBox.replaceChildren();
    if (hits.length === 0) {
      hitsBox.append(el("li", { class: "notice", text: "没有检索到段落。可以换个说法，或检查文档是否已经上传。" }));
      return;
    }
    hits.forEach((h, i) => hitsBox.append(el("li", { class: "card hit", "data-role": "hit", "data-doc": h.doc, "data-collection": h.collection },
      el("div", { class: "hit-head" },
        el("span", { class: "rank", text: "#" + (i + 1) }),
        el("a", { href: GR.documentURL(h.doc, lastHeading(h.heading), h.collection), text: h.title || h.doc }),
        el("span", { class: "badge neutral", text: GR.data.docCategories[h.category] || h.collection })),
      h.heading ? el("div", { class: "heading-path", "data-role": "heading", text: h.heading }) : null,
      el("div", { class: "scores" },
        el("span", { class: "badge info", "data-role": "score", text: "融合分 " + h.score.toFixed(4) }),
        el("span", { class: "badge neutral", "data-role": "vector-rank", text: "向量排名 " + (h.vector_rank || "—") }),
        el("span", { class: "badge neutral", "data-role": "text-rank", text: "全文排名 " + (h.text_rank || "—") }),
        el("span", { class: "badge neutral", text: "文档集 " + h.collection })),
      el("p", { class: "hit-text", text: h.text }))));
  }

  function lastHeading(path) {
    const parts = (path || "").split(" > ");
    return parts[parts.length - 1];
  }
})();
