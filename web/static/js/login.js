// 登录: POST /v1/auth/login sets the session cookie; then back to the page
// that asked for it (a path on this site only).
"use strict";

(function () {
  const form = document.getElementById("login-form");
  const params = new URLSearchParams(location.search);
  const next = params.get("next") || "";
  const target = /^\/(?![/\\])/.test(next) ? next : "/draft";

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    GR.clearErrors(form);
    const req = GR.formJSON(form, ["username", "password"]);
    if (!req.username.trim()) {
      GR.showError(form, { code: "empty_username", message: "请输入用户名。" });
      return;
    }
    if (!req.password) {
      GR.showError(form, { code: "empty_password", message: "请输入密码。" });
      return;
    }
    GR.busy(form, "正在登录…");
    try {
      await GR.api("POST", "/v1/auth/login", req);
      location.assign(target);
    } catch (err) {
      GR.busy(form, "");
      form.elements.namedItem("password").value = "";
      GR.showError(form, err);
    }
  });
})();
