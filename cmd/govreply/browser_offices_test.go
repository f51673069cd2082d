package main

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"govreply/internal/browsertest"
)

// officeJSON is an office as GET /v1/offices gives it.
type officeJSON struct {
	Name      string   `json:"name"`
	Levels    int      `json:"levels"`
	Members   []string `json:"members"`
	Reviewers []struct {
		Roles []string `json:"roles"`
		Users []string `json:"users"`
	} `json:"reviewers"`
	Deadlines map[string]map[string]int `json:"deadlines"`
}

// storedOffices reads the offices through the API.
func storedOffices(t *testing.T, base string) (offices []officeJSON, def officeJSON) {
	t.Helper()
	var res struct {
		Offices []officeJSON `json:"offices"`
		Default officeJSON   `json:"default"`
	}
	mustCall(t, apiClient(t, base), "GET", base+"/v1/offices", nil, 200, &res)
	return res.Offices, res.Default
}

// officeShown is what the admin page says of an office (the card
// selected by sel): its levels, and each term (成员, 初审, …, 处理时限)
// with its value.
func officeShown(t *testing.T, tab *browsertest.Tab, sel string) (levels string, terms map[string]string) {
	t.Helper()
	type shown struct {
		Levels string
		Terms  map[string]string
	}
	s := browsertest.Eval[shown](t, tab, fmt.Sprintf(`(() => { const card = document.querySelector(%q); return {
		Levels: card.querySelector('[data-role="levels"]').textContent,
		Terms: Object.fromEntries([...card.querySelectorAll("dl > div")].map(d => [d.querySelector("dt").textContent, d.querySelector("dd").innerText])),
	}; })()`, sel))
	return s.Levels, s.Terms
}

// TestBrowserOffices: on 用户与审计 an administrator sees the default
// office (本单位) read-only, adds an office with two levels, a member, a
// role at the first level and a user at the second and its own
// deadlines; the API stores it as entered. Editing it to three levels
// keeps the rest; a limit the server refuses is explained beside the
// form; a second office of the same name is refused; deleting removes it.
// The section fits a phone.
func TestBrowserOffices(t *testing.T) {
	base := offlineWorkspace(t)
	admin := apiClient(t, base)
	newUser(t, base, admin, "zhangwei", "editor")
	newUser(t, base, admin, "lina", "reviewer")
	// An office whose names are markup: shown as text, never run.
	evil := `<img src=x onerror="window.pwned=1">`
	mustCall(t, admin, "PUT", base+"/v1/offices/"+url.PathEscape(evil), map[string]any{
		"levels": 1, "members": []string{"<b>x<b>"}, "reviewers": []map[string]any{{"users": []string{"<i>y<i>"}}},
	}, 200, nil)

	tab := browsertest.MustStart(t, browsertest.Desktop)
	signIn(t, tab, base)
	tab.Open(t, base+"/admin", `document.querySelector('[data-role="office-default"]') !== null &&
		[...document.querySelectorAll("#office-users option")].some(o => o.value === "lina")`)
	if n := browsertest.Eval[int](t, tab, `document.querySelectorAll("#office-list img, #office-list b, #office-list i").length`); n != 0 ||
		browsertest.Eval[bool](t, tab, `window.pwned === 1`) {
		t.Errorf("an office's names were inserted as markup")
	}
	if _, terms := officeShown(t, tab, fmt.Sprintf(`[data-role="office"][data-name=%q]`, evil)); terms["成员"] != "<b>x<b>" || terms["审核"] != "用户 <i>y<i>" {
		t.Errorf("the office with markup in its names is shown as %q", terms)
	}
	mustCall(t, admin, "DELETE", base+"/v1/offices/"+url.PathEscape(evil), nil, 204, nil)

	_, def := storedOffices(t, base)
	levels, terms := officeShown(t, tab, `[data-role="office-default"]`)
	if want := []string{"", "一级审核", "二级审核", "三级审核"}[def.Levels]; levels != want || terms["成员"] != "不属于任何科室的用户" ||
		terms["审核"] != "审核员、管理员（默认）" || terms["处理时限"] != "按统一时限" {
		t.Errorf("the default office (%d levels) is shown as %s %q", def.Levels, levels, terms)
	}
	if n := browsertest.Eval[int](t, tab, `document.querySelectorAll('[data-role="office-default"] button').length`); n != 0 {
		t.Errorf("the default office has %d buttons", n)
	}

	// No name: said beside the name field, before asking the server.
	submit(t, tab, "office-form")
	tab.Wait(t, `!document.getElementById("office-name-error").hidden`)

	// 宣传科: two levels, a role at the first, a user at the second.
	setField(t, tab, "office-form", "name", "宣传科")
	setField(t, tab, "office-form", "levels", "2")
	if n := browsertest.Eval[int](t, tab, `[...document.querySelectorAll("#office-form fieldset[data-level]")].filter(f => !f.hidden).length`); n != 2 {
		t.Errorf("two levels show %d reviewer settings", n)
	}
	if got := browsertest.Eval[string](t, tab, `[...document.querySelectorAll("#office-form fieldset[data-level]:not([hidden]) legend")].map(l => l.textContent).join(" ")`); got != "初审审核人 终审审核人" {
		t.Errorf("the levels are named %q", got)
	}
	setField(t, tab, "office-form", "members", "zhangwei")
	browsertest.Eval[bool](t, tab, `(document.querySelector('#office-form input[name="level1-roles"][value="reviewer"]').click(), true)`)
	setField(t, tab, "office-form", "level2-users", "lina")
	setField(t, tab, "office-form", "deadline:投诉", "5")
	setField(t, tab, "office-form", "unit:投诉", "working_days")
	setField(t, tab, "office-form", "deadline:*", "48")
	setField(t, tab, "office-form", "unit:*", "hours")
	submit(t, tab, "office-form")
	tab.Wait(t, `document.querySelector('[data-role="office"][data-name="宣传科"]') !== null`)

	type reviewers = []map[string][]string
	check := func(when string, levels int, want reviewers, deadlines map[string]map[string]int) {
		t.Helper()
		offices, _ := storedOffices(t, base)
		if len(offices) != 1 || offices[0].Name != "宣传科" {
			t.Fatalf("%s: stored offices %+v", when, offices)
		}
		o := offices[0]
		got := reviewers{}
		for _, r := range o.Reviewers {
			got = append(got, map[string][]string{"roles": r.Roles, "users": r.Users})
		}
		if o.Levels != levels || !reflect.DeepEqual(o.Members, []string{"zhangwei"}) || !reflect.DeepEqual(got, want) ||
			!reflect.DeepEqual(o.Deadlines, deadlines) {
			t.Errorf("%s: stored %+v, reviewers %v", when, o, got)
		}
	}
	deadlines := map[string]map[string]int{"投诉": {"working_days": 5}, "*": {"hours": 48}}
	check("added", 2, reviewers{{"roles": {"reviewer"}, "users": {}}, {"roles": {}, "users": {"lina"}}}, deadlines)
	card := `[data-role="office"][data-name="宣传科"]`
	levels, terms = officeShown(t, tab, card)
	if want := map[string]string{"成员": "zhangwei", "初审": "审核员", "终审": "用户 lina", "处理时限": "投诉 5 个工作日\n其余类别 48 小时"}; levels != "二级审核" ||
		!reflect.DeepEqual(terms, want) {
		t.Errorf("宣传科 is shown as %s %q, want %q", levels, terms, want)
	}
	if s := browsertest.Eval[string](t, tab, `document.querySelector("#office-form .status").textContent`); !strings.Contains(s, "已保存") || strings.Contains(s, "没有这些用户") {
		t.Errorf("status after saving: %q", s)
	}

	// The same name again is refused: it would replace the office.
	setField(t, tab, "office-form", "name", "宣传科")
	submit(t, tab, "office-form")
	tab.Wait(t, `!document.getElementById("office-name-error").hidden`)
	if msg := browsertest.Eval[string](t, tab, `document.getElementById("office-name-error").textContent`); !strings.Contains(msg, "已有") {
		t.Errorf("a second 宣传科: %q", msg)
	}

	// 编辑 fills the form with the office.
	browsertest.Eval[bool](t, tab, `(document.querySelector('[data-role="office"][data-name="宣传科"] button').click(), true)`)
	type form struct {
		Name, Levels, Members, Users2, Complaint, Unit string
		ReadOnly, Reviewer1                            bool
	}
	f := browsertest.Eval[form](t, tab, `(() => { const e = document.getElementById("office-form").elements; return {
		Name: e.namedItem("name").value, ReadOnly: e.namedItem("name").readOnly, Levels: e.namedItem("levels").value,
		Members: e.namedItem("members").value, Users2: e.namedItem("level2-users").value,
		Reviewer1: document.querySelector('#office-form input[name="level1-roles"][value="reviewer"]').checked,
		Complaint: e.namedItem("deadline:投诉").value, Unit: e.namedItem("unit:投诉").value}; })()`)
	if (f != form{Name: "宣传科", Levels: "2", Members: "zhangwei", Users2: "lina", Complaint: "5", Unit: "working_days", ReadOnly: true, Reviewer1: true}) {
		t.Errorf("the edit form: %+v", f)
	}

	// A limit the server refuses: its message, in Chinese, beside the form.
	setField(t, tab, "office-form", "deadline:建议", "1000")
	setField(t, tab, "office-form", "unit:建议", "hours")
	submit(t, tab, "office-form")
	tab.Wait(t, `!document.querySelector('#office-form [data-error-for=""]').hidden`)
	if msg := browsertest.Eval[string](t, tab, `document.querySelector('#office-form [data-error-for=""]').textContent`); !strings.Contains(msg, "时限须为") {
		t.Errorf("the server's refusal: %q", msg)
	}
	tab.Problems() // the 400 asked for

	// Three levels: the third decided by administrators.
	setField(t, tab, "office-form", "deadline:建议", "")
	setField(t, tab, "office-form", "levels", "3")
	browsertest.Eval[bool](t, tab, `(document.querySelector('#office-form input[name="level3-roles"][value="admin"]').click(), true)`)
	submit(t, tab, "office-form")
	tab.Wait(t, `document.querySelector('[data-role="office"][data-name="宣传科"] [data-role="levels"]').textContent === "三级审核"`)
	check("edited", 3, reviewers{{"roles": {"reviewer"}, "users": {}}, {"roles": {}, "users": {"lina"}}, {"roles": {"admin"}, "users": {}}}, deadlines)
	levels, terms = officeShown(t, tab, card)
	if want := map[string]string{"成员": "zhangwei", "初审": "审核员", "复审": "用户 lina", "终审": "管理员", "处理时限": "投诉 5 个工作日\n其余类别 48 小时"}; levels != "三级审核" ||
		!reflect.DeepEqual(terms, want) {
		t.Errorf("the edited 宣传科 is shown as %s %q, want %q", levels, terms, want)
	}
	if got := browsertest.Eval[string](t, tab, `document.getElementById("office-form-title").textContent`); got != "新增科室" {
		t.Errorf("after saving the form is %q", got)
	}

	// The section on a phone: nothing wider than the screen.
	phone := browsertest.MustStart(t, browsertest.Phone)
	signIn(t, phone, base)
	phone.Open(t, base+"/admin", `document.querySelector('[data-role="office"]') !== null`)
	browsertest.Eval[bool](t, phone, `(document.querySelector('[data-role="office"] button').click(), true)`)
	wide := browsertest.Eval[[]string](t, phone, `[...document.querySelectorAll('section[aria-labelledby="offices-title"] *')]
		.filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest(".table-wrap, .visually-hidden"))
		.slice(0, 5).map(e => e.tagName + "." + e.className + ": " + Math.round(e.getBoundingClientRect().right))`)
	if len(wide) > 0 {
		t.Errorf("on a phone, wider than the screen: %v", wide)
	}
	noProblems(t, phone, "offices on a phone")

	// The audit trail says who set the office.
	setField(t, tab, "audit-form", "action", "office_put")
	submit(t, tab, "audit-form")
	tab.Wait(t, `[...document.querySelectorAll('[data-role="audit"]')].some(r => r.textContent.includes("设置科室") && r.textContent.includes("宣传科"))`)

	// 删除, confirmed.
	browsertest.Eval[bool](t, tab, `(window.confirm = () => true,
		[...document.querySelectorAll('[data-role="office"][data-name="宣传科"] button')].find(b => b.textContent === "删除").click(), true)`)
	tab.Wait(t, `document.querySelector('[data-role="office"]') === null`)
	if offices, _ := storedOffices(t, base); len(offices) != 0 {
		t.Errorf("after 删除 the API has %+v", offices)
	}
	noProblems(t, tab, "offices")
}
