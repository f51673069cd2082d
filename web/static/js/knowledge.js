// 知识库: the documents (GET /v1/documents) with filters, upload (POST
// /v1/documents, one request per file so each has its own progress and
// result) and delete (DELETE /v1/documents/{id}).
"use strict";

(function () {
  const { el, api } = GR;
  const filterForm = document.getElementById("filter-form");
  const tbody = document.querySelector("table.docs tbody");
  const listError = document.getElementById("list-error");
  const listStatus = document.getElementById("list-status");
  const uploadForm = document.getElementById("upload-form");
  const uploads = document.querySelector(".uploads");
  const collectionSelect = document.getElementById("collection");
  let docs = [];

  // Filters live in the URL, so a filtered list can be linked and survives
  // a reload.
  const params = new URLSearchParams(location.search);
  for (const n of ["q", "collection", "category"]) {
    const f = filterForm.elements.namedItem(n);
    if (params.has(n)) f.dataset.initial = params.get(n);
  }
  filterForm.elements.namedItem("q").value = params.get("q") || "";
  filterForm.elements.namedItem("category").value = params.get("category") || "";

  async function loadList() {
    listError.hidden = true;
    listStatus.textContent = "正在载入…";
    try {
      const res = await api("GET", "/v1/documents");
      docs = res.documents;
      fillCollections();
      draw();
    } catch (err) {
      listStatus.textContent = "";
      listError.textContent = "无法载入文档列表：" + err.message;
      listError.hidden = false;
    }
  }

  function fillCollections() {
    const names = [...new Set(docs.map((d) => d.collection))].sort();
    const keep = collectionSelect.value || collectionSelect.dataset.initial || "";
    collectionSelect.replaceChildren(el("option", { value: "", text: "全部" }),
      ...names.map((n) => el("option", { value: n, text: n === "builtin" ? "builtin（内置）" : n })));
    collectionSelect.value = names.includes(keep) ? keep : "";
    delete collectionSelect.dataset.initial;
    document.getElementById("collections").replaceChildren(
      ...names.filter((n) => n !== "builtin").map((n) => el("option", { value: n })));
  }

  function draw() {
    const f = GR.formJSON(filterForm, ["q", "collection", "category"]);
    const words = f.q.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const shown = docs.filter((d) => (!f.collection || d.collection === f.collection) &&
      (!f.category || d.category === f.category) &&
      words.every((w) => (d.title + " " + d.id + " " + (d.tags || []).join(" ")).toLowerCase().includes(w)));
    tbody.replaceChildren(...shown.map(row));
    listStatus.textContent = "共 " + shown.length + " 篇文档" + (shown.length < docs.length ? "（全部 " + docs.length + " 篇）" : "");
  }

  function row(d) {
    const canDelete = d.collection !== "builtin";
    return el("tr", { "data-role": "document", "data-id": d.id, "data-collection": d.collection },
      el("td", {}, el("a", { href: GR.documentURL(d.id, "", d.collection), text: d.title || d.id }),
        d.reference ? el("div", { class: "heading-path", text: d.reference }) : null),
      el("td", { text: GR.data.docCategories[d.category] || "—" }),
      el("td", { text: d.collection }),
      el("td", { class: "num hide-sm", text: String(d.chunks) }),
      el("td", { class: "hide-sm", text: GR.localTime(d.updated_at, true) }),
      el("td", {}, canDelete ? el("button", { type: "button", class: "danger small", text: "删除",
        "aria-label": "删除 " + (d.title || d.id), onclick: (ev) => remove(d, ev.currentTarget) }) : null));
  }

  async function remove(d, button) {
    if (!confirm("确定删除“" + (d.title || d.id) + "”吗？删除后不能恢复，需要时请重新上传。")) return;
    button.disabled = true;
    try {
      await api("DELETE", "/v1/documents/" + encodeURIComponent(d.id) + "?collection=" + encodeURIComponent(d.collection));
      docs = docs.filter((x) => !(x.id === d.id && x.collection === d.collection));
      fillCollections();
      draw();
      listStatus.textContent = "已删除“" + (d.title || d.id) + "”。" + listStatus.textContent;
    } catch (err) {
      button.disabled = false;
      listError.textContent = "删除失败：" + err.message;
      listError.hidden = false;
    }
  }

  filterForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = GR.formJSON(filterForm, ["q", "collection", "category"]);
    const q = new URLSearchParams(Object.entries(f).filter(([, v]) => v));
    history.replaceState(null, "", location.pathname + (q.toString() ? "?" + q : ""));
    draw();
  });
  filterForm.addEventListener("input", draw);

  const fileInput = uploadForm.elements.namedItem("file");
  fileInput.addEventListener("change", () => {
    const names = [...fileInput.files].map((f) => f.name);
    document.getElementById("file-names").textContent = names.length ? "已选择 " + names.length + " 个：" + names.join("、") : "未选择文件";
  });

  const statusNames = { added: "已新增", updated: "已更新", unchanged: "内容未变，已跳过", failed: "失败" };

  uploadForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    GR.clearErrors(uploadForm);
    const collection = uploadForm.elements.namedItem("collection").value.trim();
    const input = uploadForm.elements.namedItem("file");
    if (!collection) {
      GR.showError(uploadForm, { code: "invalid_collection", message: "请填写文档集名称。" });
      return;
    }
    if (!input.files.length) {
      GR.showError(uploadForm, { code: "no_file", message: "请选择要上传的文件。" });
      return;
    }
    const files = [...input.files];
    GR.busy(uploadForm, "正在上传 " + files.length + " 个文件…");
    const rows = files.map((f) => {
      const bar = el("progress", { max: 100, value: 0, "aria-label": f.name + " 上传进度" });
      const li = el("li", { "data-role": "upload", "data-file": f.name },
        el("strong", { text: f.name }), el("span", { class: "badge neutral", "data-role": "upload-status", text: "等待" }),
        bar, el("span", { class: "msg" }));
      uploads.prepend(li);
      return li;
    });
    let changed = false;
    for (let i = 0; i < files.length; i++) {
      const r = await uploadOne(collection, files[i], rows[i]);
      if (r && (r.status === "added" || r.status === "updated")) changed = true;
      if (r === "stop") break;
    }
    GR.busy(uploadForm, "");
    uploadForm.querySelector(".status").textContent = "上传完成";
    if (changed) loadList();
  });

  // uploadOne sends one file and shows its progress, then its result:
  // added, updated, unchanged, or failed with the reason. It returns the
  // result, or "stop" when the whole request was refused (the same would
  // happen to the other files).
  function uploadOne(collection, file, li) {
    const badge = li.querySelector('[data-role="upload-status"]');
    const bar = li.querySelector("progress");
    const msg = li.querySelector(".msg");
    const finish = (status, text, cls) => {
      badge.textContent = statusNames[status] || status;
      badge.className = "badge " + cls;
      li.dataset.status = status;
      msg.textContent = text || "";
      bar.value = 100;
    };
    return new Promise((resolve) => {
      const body = new FormData();
      body.append("collection", collection);
      body.append("file", file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/v1/documents");
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRF-Token", GR.csrf());
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 90);
        badge.textContent = "上传中";
      };
      xhr.upload.onload = () => { badge.textContent = "正在导入"; };
      xhr.onerror = () => {
        finish("failed", "无法连接服务器，请检查网络后重试。", "fail");
        resolve("stop");
      };
      xhr.onload = () => {
        let payload = null;
        try { payload = JSON.parse(xhr.responseText); } catch (e) { payload = null; }
        if (xhr.status === 401) GR.signIn();
        if (xhr.status !== 200 || !payload || !payload.results) {
          const err = (payload && payload.error) || { code: "http_" + xhr.status, message: "服务器返回错误（" + xhr.status + "）" };
          finish("failed", err.message, "fail");
          GR.showError(uploadForm, err);
          resolve("stop");
          return;
        }
        const r = payload.results[0];
        const text = r.status === "failed" ? (r.error && r.error.message) || "导入失败"
          : "文档 " + r.doc + (r.chunks ? "，" + r.chunks + " 个段落" : "") + (r.notice ? "。" + r.notice : "");
        finish(r.status, text, r.status === "failed" ? "fail" : "pass");
        resolve(r);
      };
      xhr.send(body);
    });
  }

  loadList();
})();
