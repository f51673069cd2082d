// 用户与审计: users (GET/POST /v1/users, PATCH /v1/users/{name}), tokens
// (GET/POST /v1/tokens, DELETE /v1/tokens/{id}), sessions (GET
// /v1/sessions), collection access (GET /v1/collections, PUT
// /v1/collections/{name}/readers and /writers) and the audit trail (GET
// /v1/audit, CSV).
"use strict";

(function () {
  const { el, api } = GR;
  const roleNames = { admin: "管理员", editor: "编辑", reviewer: "审核员", trainer: "培训师", trainee: "学员" };
  const actionNames = {
    login: "登录", login_failed: "登录失败", logout: "退出", token_create: "创建令牌", token_revoke: "吊销令牌",
    user_create: "新增用户", user_update: "修改用户", password_change: "修改密码", upload: "上传", delete: "删除",
    permission_change: "权限变更", review_decision: "审核决定",
  };
  const outcomeNames = { ok: "成功", denied: "拒绝", failed: "失败" };
  const day = (t) => GR.localTime(t);
  const roles = (rs) => (rs || []).map((r) => roleNames[r] || r).join("、") || "—";
  const list = (s) => s.split(/[,，、\s]+/).map((x) => x.trim()).filter(Boolean);

  let me = "";

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
  loadAudit();
})();
