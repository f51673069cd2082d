// 文档: GET /v1/documents/{id}. The server renders the Markdown and
// sanitises it; DOMPurify sanitises it again before it enters the page, so
// a flaw in one layer alone cannot run a script or load a remote image.
"use strict";

(function () {
  const { el, api } = GR;
  const params = new URLSearchParams(location.search);
  const id = params.get("id") || "";
  const collection = params.get("collection") || "";
  const section = params.get("section") || "";
  const page = document.querySelector('[data-role="document-page"]');
  const errLine = page.querySelector(".form-error");
  const body = page.querySelector(".doc-body");
  const del = document.getElementById("doc-delete");

  if (!id) {
    fail("没有指定文档。请从知识库列表打开文档。");
    return;
  }
  load();

  async function load() {
    try {
      const q = collection ? "?collection=" + encodeURIComponent(collection) : "";
      const res = await api("GET", "/v1/documents/" + encodeURIComponent(id) + q);
      show(res);
    } catch (err) {
      fail(err.message);
    }
  }

  function fail(message) {
    document.getElementById("doc-title").textContent = "无法打开文档";
    errLine.textContent = message;
    errLine.hidden = false;
  }

  function show(res) {
    const d = res.document;
    document.title = (d.title || d.id) + " · 政务微博回复助手";
    document.getElementById("doc-title").textContent = d.title || d.id;
    document.getElementById("doc-crumb").textContent = d.title || d.id;
    const meta = [GR.data.docCategories[d.category], "文档集 " + d.collection, d.chunks + " 个段落",
      d.reference, d.effective ? d.effective + " 起施行" : "", d.updated_at ? "更新于 " + GR.localTime(d.updated_at, true) : ""];
    page.querySelector(".doc-meta").textContent = meta.filter(Boolean).join(" · ");
    document.getElementById("doc-search").href = "/knowledge/search?" + new URLSearchParams({ q: d.title || d.id, collection: d.collection });
    body.replaceChildren(DOMPurify.sanitize(res.html, {
      RETURN_DOM_FRAGMENT: true,
      FORBID_TAGS: ["img", "style", "form", "input", "svg", "math", "iframe", "object", "embed"],
      FORBID_ATTR: ["style"],
    }));
    for (const a of body.querySelectorAll("a[href]")) {
      a.rel = "nofollow noopener noreferrer";
      if (/^https?:/i.test(a.getAttribute("href"))) a.target = "_blank";
    }
    toc(res.sections || []);
    if (d.collection !== "builtin") {
      del.hidden = false;
      del.addEventListener("click", () => remove(d));
    }
    jump(res.sections || []);
  }

  function toc(sections) {
    const nav = page.querySelector(".toc");
    const list = nav.querySelector("ol");
    const top = sections.filter((s) => s.level <= 3);
    if (top.length < 3) return;
    list.replaceChildren(...top.map((s) => el("li", {}, el("a", { href: "#" + s.id, text: s.title }))));
    nav.hidden = false;
  }

  // jump scrolls to the section a citation named: by its heading path or
  // its own title, the last match of the deepest level winning ties.
  function jump(sections) {
    if (!section) return;
    const s = sections.find((x) => x.heading === section) || sections.find((x) => x.title === section) ||
      sections.find((x) => x.heading.endsWith(" > " + section));
    if (!s) return;
    const h = document.getElementById(s.id);
    if (!h) return;
    h.classList.add("target");
    h.tabIndex = -1;
    h.scrollIntoView({ block: "start" });
    h.focus({ preventScroll: true });
  }

  async function remove(d) {
    if (!confirm("确定删除“" + (d.title || d.id) + "”吗？删除后不能恢复，需要时请重新上传。")) return;
    del.disabled = true;
    try {
      await api("DELETE", "/v1/documents/" + encodeURIComponent(d.id) + "?collection=" + encodeURIComponent(d.collection));
      location.assign("/knowledge?collection=" + encodeURIComponent(d.collection));
    } catch (err) {
      del.disabled = false;
      errLine.textContent = "删除失败：" + err.message;
      errLine.hidden = false;
    }
  }
})();
