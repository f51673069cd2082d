// 用户与审计: users (GET/POST /v1/users, PATCH /v1/users/{name}), tokens
// (GET/POST /v1/tokens, DELETE /v1/tokens/{id}), sessions (GET
// /v1/sessions), collection access (GET /v1/collections, PUT
// /v1/collections/{name}/readers and /writers), the offices of the
// publishing review (GET /v1/offices, PUT and DELETE /v1/offices/{name})
// and the audit trail (GET /v1/audit, CSV).
"use strict";

(function () {
  const { el, api } = GR;
  const roleNames = { admin: "管理员", editor: "编辑", reviewer: "审核员", trainer: "培训师", trainee: "学员" };
  const actionNames = {
    login: "登录", login_failed: "登录失败", logout: "退出", token_create: "创建令牌", token_revoke: "吊销令牌",
    user_create: "新增用户", user_update: "修改用户", password_change: "修改密码", upload: "上传", delete: "删除",
    permission_change: "权限变更", review_submit: "提交审核", review_revise: "修改后重新提交", review_withdraw: "撤回稿件", review_decision: "审核决定",
    office_put: "设置科室", office_delete: "删除科室",
  };
  const outcomeNames = { ok: "成功", denied: "拒绝", failed: "失败" };
  const day = (t) => GR.localTime(t);
  const roles = (rs) => (rs || []).map((r) => roleNames[r] || r).join("、") || "—";
  const list = (s) => s.split(/[,，、\s]+/).map((x) => x.trim()).filter(Boolean);

  let me = "";
  let users = []; // usernames of the enabled users, for the offices' datalist

  async function loadUsers() {
    const err = document.getElementById("users-error");
    err.hidden = true;
    try {
      if (!me) me = (await api("GET", "/v1/me")).username;
      const res = await api("GET", "/v1/users");
      const tbody = document.querySelector("table.users tbody");
      tbody.replaceChildren(...res.users.map((u) => el("tr", { "data-role": "user", "data-username": u.username },
        el("td", { text: u.username }), el("td", { text: roles(u.roles) }),
        el("td", { text: u.disabled ? "已停用" : "正常" }), el("td", { text: day(u.created_at) }),
        el("td", {}, u.disabled || u.username === me ? null : el("button", { type: "button", class: "danger small", text: "停用",
          "aria-label": "停用 " + u.username, onclick: () => disable(u.username) })))));
      const sel = document.getElementById("token-user");
      const keep = sel.value;
      sel.replaceChildren(...res.users.filter((u) => !u.disabled).map((u) => el("option", { value: u.username, text: u.username })));
      if (keep) sel.value = keep;
      users = res.users.filter((u) => !u.disabled).map((u) => u.username);
      suggestUsers(document.activeElement);
    } catch (e) {
      err.textContent = "无法载入用户：" + e.message;
      err.hidden = false;
    }
  }

  async function disable(name) {
    if (!confirm("确定停用“" + name + "”吗？其登录会话和令牌将立即失效。")) return;
    try {
      await api("PATCH", "/v1/users/" + encodeURIComponent(name), { disabled: true });
      loadUsers();
      loadTokens();
      loadSessions();
    } catch (e) {
      alert(e.message);
    }
  }

  const userForm = document.getElementById("user-form");
  userForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    GR.clearErrors(userForm);
    const req = GR.formJSON(userForm, ["username", "password"]);
    req.roles = [...userForm.querySelectorAll('input[name="roles"]:checked')].map((c) => c.value);
    GR.busy(userForm, "正在保存…");
    try {
      await api("POST", "/v1/users", req);
      GR.busy(userForm, "");
      userForm.querySelector(".status").textContent = "已新增 " + req.username;
      userForm.elements.namedItem("username").value = "";
      userForm.elements.namedItem("password").value = "";
      loadUsers();
    } catch (e) {
      GR.busy(userForm, "");
      GR.showError(userForm, e);
    }
  });

  async function loadTokens() {
    try {
      const res = await api("GET", "/v1/tokens");
      document.querySelector("table.tokens tbody").replaceChildren(...res.tokens.map((t) => el("tr", { "data-role": "token" },
        el("td", { text: t.username }), el("td", { text: t.name || "—" }), el("td", { text: day(t.created_at) }),
        el("td", { text: day(t.expires_at) }), el("td", { text: day(t.last_used_at) }),
        el("td", { text: t.revoked_at ? "已吊销" : "有效" }),
        el("td", {}, t.revoked_at ? null : el("button", { type: "button", class: "danger small", text: "吊销",
          onclick: async () => {
            if (!confirm("确定吊销这个令牌吗？使用它的系统将无法再调用接口。")) return;
            try { await api("DELETE", "/v1/tokens/" + encodeURIComponent(t.id)); loadTokens(); } catch (e) { alert(e.message); }
          } })))));
    } catch (e) { /* shown by the users section */ }
  }

  const tokenForm = document.getElementById("token-form");
  tokenForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    GR.clearErrors(tokenForm);
    const f = GR.formJSON(tokenForm, ["username", "name", "days"]);
    GR.busy(tokenForm, "正在创建…");
    try {
      const res = await api("POST", "/v1/tokens", { username: f.username, name: f.name, ttl_hours: 24 * (parseInt(f.days, 10) || 90) });
      GR.busy(tokenForm, "");
      const box = document.getElementById("token-secret");
      GR.fill(box, "令牌（只显示这一次，请立即复制保存）：", el("code", { text: res.token }), " ", GR.copyButton(() => res.token));
      box.hidden = false;
      loadTokens();
    } catch (e) {
      GR.busy(tokenForm, "");
      GR.showError(tokenForm, e);
    }
  });

  async function loadSessions() {
    try {
      const res = await api("GET", "/v1/sessions");
      document.querySelector("table.sessions tbody").replaceChildren(...res.sessions.map((s) => el("tr", { "data-role": "session" },
        el("td", { text: s.username }), el("td", { text: s.client || "—" }), el("td", { text: day(s.created_at) }),
        el("td", { text: day(s.expires_at) }))));
    } catch (e) { /* shown by the users section */ }
  }

  async function loadAccess() {
    const err = document.getElementById("access-error");
    err.hidden = true;
    try {
      const res = await api("GET", "/v1/collections");
      document.querySelector("table.access tbody").replaceChildren(...res.collections.map(accessRow));
    } catch (e) {
      err.textContent = "无法载入文档集：" + e.message;
      err.hidden = false;
    }
  }

  function accessRow(c) {
    const builtin = c.name === "builtin";
    const input = (value, label) => el("input", { value: (value || []).join("、"), "aria-label": label, disabled: builtin });
    const rr = input(c.readers.roles, c.name + " 可查看的角色");
    const ru = input(c.readers.users, c.name + " 可查看的用户");
    const wr = input(c.writers.roles, c.name + " 可修改的角色");
    const wu = input(c.writers.users, c.name + " 可修改的用户");
    const save = el("button", { type: "button", class: "secondary small", text: "保存", disabled: builtin });
    save.addEventListener("click", async () => {
      const err = document.getElementById("access-error");
      err.hidden = true;
      const toRoles = (s) => list(s).map((r) => Object.keys(roleNames).find((k) => roleNames[k] === r) || r);
      try {
        const base = "/v1/collections/" + encodeURIComponent(c.name);
        await api("PUT", base + "/readers", { roles: toRoles(rr.value), users: list(ru.value) });
        await api("PUT", base + "/writers", { roles: toRoles(wr.value), users: list(wu.value) });
        save.textContent = "已保存";
        setTimeout(() => { save.textContent = "保存"; }, 2000);
      } catch (e) {
        err.textContent = c.name + "：" + e.message;
        err.hidden = false;
      }
    });
    for (const i of [rr, wr]) i.value = (i === rr ? c.readers.roles : c.writers.roles || []).map((r) => roleNames[r] || r).join("、");
    return el("tr", { "data-role": "collection", "data-name": c.name },
      el("td", { text: builtin ? "builtin（内置，只读）" : c.name }), el("td", {}, rr), el("td", {}, ru),
      el("td", {}, wr), el("td", {}, wu), el("td", {}, save));
  }

  // Offices (科室) of the publishing review. A level is named by its place
  // in the office's review: 审核 alone; 初审, 终审; 初审, 复审, 终审.
  const levelCounts = { 1: "一级审核", 2: "二级审核", 3: "三级审核" };
  const levelName = (level, levels) => levels <= 1 ? "审核" : level <= 1 ? "初审" : level >= levels ? "终审" : "复审";
  // The classes of post a deadline is set for; "*" is every other class.
  const deadlineClasses = [...GR.data.classes, "*"];
  const className = (c) => c === "*" ? "其余类别" : c;
  const limitText = (l) => l.hours ? l.hours + " 小时" : l.working_days ? l.working_days + " 个工作日" : "—";
  const names = (xs) => (xs || []).join("、");

  const officeForm = document.getElementById("office-form");
  const officeErr = document.getElementById("offices-error");
  let offices = [];
  let editing = null; // the office being edited, or null when adding one

  // reviewerItems say who decides at each level of an office, one item
  // a level named as in its review.
  function reviewerItems(o) {
    const out = [];
    for (let l = 1; l <= o.levels; l++) {
      const r = (o.reviewers || [])[l - 1] || {};
      const who = [];
      if ((r.roles || []).length) who.push(roles(r.roles));
      if ((r.users || []).length) who.push("用户 " + names(r.users));
      out.push(item(levelName(l, o.levels), who.length ? who.join("；") : "审核员、管理员（默认）", { "data-level": l }));
    }
    return out;
  }

  function deadlineLines(o) {
    const d = o.deadlines || {};
    const keys = Object.keys(d).sort((a, b) => rank(a) - rank(b));
    if (keys.length === 0) return "按统一时限";
    return keys.map((k) => el("div", { "data-class": k, text: className(k) + " " + limitText(d[k]) }));
  }
  function rank(c) {
    const i = deadlineClasses.indexOf(c);
    return i < 0 ? deadlineClasses.length - 1.5 : i; // unknown classes just before "*"
  }

  // item is one term of an office's description.
  function item(term, value, attrs) {
    return el("div", attrs, el("dt", { text: term }), el("dd", {}, value));
  }

  function officeCard(o, isDefault) {
    const head = el("div", { class: "q-head" },
      el("strong", { class: "q-id", text: isDefault ? "本单位" : o.name }),
      el("span", { class: "badge neutral", "data-role": "levels", text: levelCounts[o.levels] || o.levels + " 级审核" }));
    if (isDefault) {
      head.append(el("span", { class: "badge info", text: "默认，只读" }));
    } else {
      head.append(
        el("button", { type: "button", class: "secondary small", text: "编辑", "aria-label": "编辑科室 " + o.name, onclick: () => startEdit(o) }),
        el("button", { type: "button", class: "danger small", text: "删除", "aria-label": "删除科室 " + o.name, onclick: () => deleteOffice(o) }));
    }
    return el("li", isDefault ? { class: "q-item", "data-role": "office-default" } : { class: "q-item", "data-role": "office", "data-name": o.name },
      head,
      el("dl", { class: "meta-grid" },
        item("成员", isDefault ? "不属于任何科室的用户" : names(o.members) || "（尚无）"),
        reviewerItems(isDefault ? Object.assign({}, o, { reviewers: [] }) : o),
        item("处理时限", isDefault ? "按统一时限" : deadlineLines(o))));
  }

  async function loadOffices() {
    officeErr.hidden = true;
    try {
      const res = await api("GET", "/v1/offices");
      offices = res.offices || [];
      const cards = offices.map((o) => officeCard(o, false));
      if (res.default) cards.unshift(officeCard(res.default, true));
      document.getElementById("office-list").replaceChildren(...cards);
    } catch (e) {
      officeErr.textContent = "无法载入科室：" + e.message;
      officeErr.hidden = false;
    }
  }

  async function deleteOffice(o) {
    if (!confirm("确定删除科室“" + o.name + "”吗？删除后，其成员此后提交的稿件交本单位审核。")) return;
    officeErr.hidden = true;
    try {
      await api("DELETE", "/v1/offices/" + encodeURIComponent(o.name));
      if (editing && editing.name === o.name) resetOfficeForm();
      officeForm.querySelector(".status").textContent = "已删除科室 " + o.name;
      loadOffices();
    } catch (e) {
      officeErr.textContent = "删除科室“" + o.name + "”失败：" + e.message;
      officeErr.hidden = false;
    }
  }

  // The deadline inputs: for each class an amount and its unit.
  const deadlineRows = deadlineClasses.map((c, i) => {
    const amount = el("input", { type: "number", min: "1", step: "1", inputmode: "numeric", name: "deadline:" + c,
      id: "office-deadline-" + i });
    const unit = el("select", { name: "unit:" + c, "aria-label": className(c) + "的时限单位" },
      el("option", { value: "working_days", text: "工作日" }), el("option", { value: "hours", text: "小时" }));
    return { cls: c, amount, unit,
      field: el("div", { class: "field", "data-class": c }, el("label", { for: amount.id, text: className(c) }), el("div", { class: "toolbar" }, amount, unit)) };
  });
  document.getElementById("office-deadline-fields").replaceChildren(...deadlineRows.map((d) => d.field));

  const levelsSelect = officeForm.elements.namedItem("levels");
  // showLevels shows the reviewer settings of the office's levels, each
  // named as in its review.
  function showLevels() {
    const n = parseInt(levelsSelect.value, 10) || 1;
    for (const fs of officeForm.querySelectorAll("fieldset[data-level]")) {
      const l = parseInt(fs.dataset.level, 10);
      fs.hidden = l > n;
      fs.querySelector('[data-role="level-name"]').textContent = n === 1 ? "审核人" : levelName(l, n) + "审核人";
    }
  }
  levelsSelect.addEventListener("change", showLevels);

  function resetOfficeForm() {
    editing = null;
    officeForm.reset();
    GR.clearErrors(officeForm);
    officeForm.elements.namedItem("name").readOnly = false;
    document.getElementById("office-form-title").textContent = "新增科室";
    document.getElementById("office-cancel").hidden = true;
    document.getElementById("office-deadlines").open = false;
    showLevels();
  }

  function startEdit(o) {
    resetOfficeForm();
    editing = o;
    const f = officeForm.elements;
    f.namedItem("name").value = o.name;
    f.namedItem("name").readOnly = true;
    levelsSelect.value = String(o.levels);
    f.namedItem("members").value = names(o.members);
    for (let l = 1; l <= 3; l++) {
      const r = (o.reviewers || [])[l - 1] || {};
      for (const c of officeForm.querySelectorAll('input[name="level' + l + '-roles"]')) c.checked = (r.roles || []).includes(c.value);
      f.namedItem("level" + l + "-users").value = names(r.users);
    }
    const d = o.deadlines || {};
    for (const row of deadlineRows) {
      const l = d[row.cls];
      row.amount.value = l ? String(l.hours || l.working_days || "") : "";
      row.unit.value = l && l.hours ? "hours" : "working_days";
    }
    document.getElementById("office-deadlines").open = Object.keys(d).length > 0;
    document.getElementById("office-form-title").textContent = "编辑科室：" + o.name;
    document.getElementById("office-cancel").hidden = false;
    officeForm.querySelector(".status").textContent = "";
    showLevels();
    officeForm.scrollIntoView({ block: "start" });
    f.namedItem("members").focus({ preventScroll: true });
  }

  document.getElementById("office-cancel").addEventListener("click", () => {
    resetOfficeForm();
    officeForm.querySelector(".status").textContent = "";
  });

  // fieldError shows a message beside the named field of the office form.
  function fieldError(name, message) {
    GR.showError(officeForm, { code: name, message });
  }

  // officeRequest reads the form into PUT /v1/offices/{name}'s body, or
  // shows what is wrong and returns null.
  function officeRequest() {
    const f = officeForm.elements;
    const name = f.namedItem("name").value.trim();
    if (!name) { fieldError("name", "请填写科室名称。"); return null; }
    if (name.includes("/")) { fieldError("name", "科室名称不能含有“/”。"); return null; }
    if (!editing && offices.some((o) => o.name === name)) {
      fieldError("name", "已有名为“" + name + "”的科室；要修改它，请点击上方该科室的“编辑”。");
      return null;
    }
    const levels = parseInt(levelsSelect.value, 10) || 1;
    const reviewers = [];
    for (let l = 1; l <= levels; l++) {
      reviewers.push({
        roles: [...officeForm.querySelectorAll('input[name="level' + l + '-roles"]:checked')].map((c) => c.value),
        users: list(f.namedItem("level" + l + "-users").value),
      });
    }
    // Classes this page does not offer (set through the API) are kept.
    const deadlines = {};
    if (editing) {
      for (const [k, v] of Object.entries(editing.deadlines || {})) if (!deadlineClasses.includes(k)) deadlines[k] = v;
    }
    for (const row of deadlineRows) {
      const v = row.amount.value.trim();
      if (!v) continue;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) {
        document.getElementById("office-deadlines").open = true;
        GR.showError(officeForm, { code: "", message: "“" + className(row.cls) + "”的时限须为正整数。" });
        row.amount.setAttribute("aria-invalid", "true");
        row.amount.focus();
        return null;
      }
      deadlines[row.cls] = row.unit.value === "hours" ? { hours: n } : { working_days: n };
    }
    return { name, body: { levels, members: list(f.namedItem("members").value), reviewers, deadlines } };
  }

  officeForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    GR.clearErrors(officeForm);
    const req = officeRequest();
    if (!req) return;
    GR.busy(officeForm, "正在保存…");
    try {
      const saved = await api("PUT", "/v1/offices/" + encodeURIComponent(req.name), req.body);
      GR.busy(officeForm, "");
      resetOfficeForm();
      // A name that is no user's is allowed (the account may come later),
      // but most often a typo: say so.
      const named = [...saved.members, ...saved.reviewers.flatMap((r) => r.users || [])];
      const unknown = users.length ? [...new Set(named.filter((u) => !users.includes(u)))] : [];
      officeForm.querySelector(".status").textContent = "已保存科室 " + saved.name +
        (unknown.length ? "。注意：没有这些用户：" + names(unknown) + "，请核对用户名。" : "");
      loadOffices();
    } catch (e) {
      GR.busy(officeForm, "");
      GR.showError(officeForm, e);
    }
  });

  // suggestUsers offers the users in the datalist of a field listing
  // several: each suggestion is what is typed so far followed by a user
  // not yet listed, so that picking one appends it.
  function suggestUsers(field) {
    const typed = field && field.getAttribute && field.getAttribute("list") === "office-users" ? field.value : "";
    const cut = Math.max(...[",", "，", "、", " "].map((s) => typed.lastIndexOf(s)));
    const head = cut >= 0 ? typed.slice(0, cut + 1) : "";
    const listed = list(head);
    document.getElementById("office-users").replaceChildren(...users.filter((u) => !listed.includes(u))
      .map((u) => el("option", { value: head + u })));
  }
  officeForm.addEventListener("focusin", (ev) => { if (ev.target.getAttribute("list") === "office-users") suggestUsers(ev.target); });
  officeForm.addEventListener("input", (ev) => { if (ev.target.getAttribute("list") === "office-users") suggestUsers(ev.target); });
  // A field's error goes once the field is changed.
  officeForm.addEventListener("input", (ev) => {
    if (ev.target.getAttribute("aria-invalid") !== "true") return;
    ev.target.removeAttribute("aria-invalid");
    const msg = officeForm.querySelector('[data-error-for="' + ev.target.name + '"]');
    if (msg) msg.hidden = true;
  });

  resetOfficeForm();

  const auditForm = document.getElementById("audit-form");
  async function loadAudit() {
    const f = GR.formJSON(auditForm, ["user", "action"]);
    const q = new URLSearchParams(Object.entries(f).filter(([, v]) => v));
    document.getElementById("audit-csv").href = "/v1/audit?" + new URLSearchParams([...q, ["format", "csv"]]);
    q.set("limit", "200");
    try {
      const res = await api("GET", "/v1/audit?" + q);
      document.querySelector("table.audit tbody").replaceChildren(...res.entries.map((e) => el("tr", { "data-role": "audit" },
        el("td", { text: day(e.time) }), el("td", { text: e.user || "—" }), el("td", { text: e.client || "—" }),
        el("td", { text: actionNames[e.action] || e.action }), el("td", { text: e.object || "—" }),
        el("td", { text: outcomeNames[e.outcome] || e.outcome }))));
    } catch (e) { /* shown by the users section */ }
  }
  auditForm.addEventListener("submit", (ev) => { ev.preventDefault(); loadAudit(); });

  loadUsers();
  loadTokens();
  loadSessions();
  loadAccess();
  loadOffices();
  loadAudit();
})();
