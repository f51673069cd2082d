package account_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"govreply/account"
	"govreply/internal/errs"
)

func TestWriteCSV(t *testing.T) {
	t.Parallel()
	when := time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))
	tests := []struct {
		name  string
		e     account.Entry
		cells []string
	}{
		{"plain", account.Entry{Time: when, User: "zhang", Client: "192.0.2.1", Action: account.ActionLogin, Outcome: account.OutcomeOK},
			[]string{"2026-03-01T09:30:00+08:00", "zhang", "192.0.2.1", "login", "", "ok"}},
		{"formula", account.Entry{Time: when, User: "=HYPERLINK(\"http://x\")", Client: "+1", Action: account.ActionUpload, Object: "-2+3", Outcome: account.OutcomeFailed},
			[]string{"2026-03-01T09:30:00+08:00", "'=HYPERLINK(\"http://x\")", "'+1", "upload", "'-2+3", "failed"}},
		{"at sign, tab, CR", account.Entry{Time: when, User: "@SUM(A1)", Client: "\tx", Action: account.ActionDelete, Object: "\rcmd", Outcome: account.OutcomeDenied},
			[]string{"2026-03-01T09:30:00+08:00", "'@SUM(A1)", "'\tx", "delete", "'\rcmd", "denied"}},
		{"not at the start", account.Entry{Time: when, User: "a=b", Client: "", Action: account.ActionUpload, Object: "法规/a-b, \"c\"\n", Outcome: account.OutcomeOK},
			[]string{"2026-03-01T09:30:00+08:00", "a=b", "", "upload", "法规/a-b, \"c\"\n", "ok"}},
		{"(cli)", account.Entry{Time: when, User: "(cli)", Client: "cli", Action: account.ActionUserCreate, Object: "zhang roles=editor", Outcome: account.OutcomeOK},
			[]string{"2026-03-01T09:30:00+08:00", "(cli)", "cli", "user_create", "zhang roles=editor", "ok"}},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if err := account.WriteCSV(&buf, []account.Entry{tt.e}); err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(&buf)
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v\n%s", tt.name, err, buf.String())
		}
		if len(rows) != 2 || strings.Join(rows[0], ",") != "time,user,client,action,object,outcome" {
			t.Fatalf("%s: rows %q", tt.name, rows)
		}
		// encoding/csv reads \r\n inside quotes as \n.
		want := strings.Join(tt.cells, "|")
		if got := strings.Join(rows[1], "|"); strings.ReplaceAll(got, "\r", "") != strings.ReplaceAll(want, "\r", "") {
			t.Errorf("%s: row %q, want %q", tt.name, rows[1], tt.cells)
		}
	}
	var buf bytes.Buffer
	if err := account.WriteCSV(&buf, nil); err != nil || buf.String() != "time,user,client,action,object,outcome\n" {
		t.Errorf("no entries: %q, %v", buf.String(), err)
	}
}

func TestRecord(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := account.WithClient(t.Context(), "192.0.2.3")
	tests := []struct {
		name string
		e    account.Entry
		kind errs.Kind
	}{
		{"time and client filled in", account.Entry{User: "zhang", Action: account.ActionUpload, Object: "法规/a", Outcome: account.OutcomeOK}, ""},
		{"own action", account.Entry{User: "zhang", Action: "export", Outcome: account.OutcomeOK}, ""},
		{"long object shortened", account.Entry{User: "zhang", Action: account.ActionDelete, Object: strings.Repeat("长", 5000), Outcome: account.OutcomeOK}, ""},
		{"bad bytes replaced", account.Entry{User: "zh\xffang", Action: account.ActionDelete, Outcome: account.OutcomeOK}, ""},
		{"bad action", account.Entry{User: "zhang", Action: "DROP", Outcome: account.OutcomeOK}, errs.Invalid},
		{"no outcome", account.Entry{User: "zhang", Action: account.ActionUpload}, errs.Invalid},
	}
	for _, tt := range tests {
		err := f.svc.Record(ctx, tt.e)
		if tt.kind == "" && err != nil || tt.kind != "" && !errs.Is(tt.kind, err) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	es := f.entries(t, account.AuditFilter{Limit: 4})
	if len(es) != 4 {
		t.Fatalf("%d entries", len(es))
	}
	if e := es[3]; !e.Time.Equal(f.clock.Now()) || e.Client != "192.0.2.3" {
		t.Errorf("entry %+v", e)
	}
	if n := len([]rune(es[1].Object)); n != account.MaxEntryObject {
		t.Errorf("object of %d characters", n)
	}
	if es[0].User != "zh\uFFFDang" {
		t.Errorf("user %q", es[0].User)
	}
}

func TestAuditLimits(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	for range account.DefaultAuditLimit + 10 {
		if err := f.svc.Record(ctx, account.Entry{User: "zhang", Action: account.ActionUpload, Outcome: account.OutcomeOK}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		limit, want int
	}{
		{0, account.DefaultAuditLimit},
		{5, 5},
		{account.MaxAuditLimit + 1, account.DefaultAuditLimit + 12}, // all: 2 entries of the fixture
	}
	for _, tt := range tests {
		if got := len(f.entries(t, account.AuditFilter{Limit: tt.limit})); got != tt.want {
			t.Errorf("limit %d: %d entries, want %d", tt.limit, got, tt.want)
		}
	}
	if _, err := f.svc.Audit(ctx, account.AuditFilter{Limit: -1}); !errs.Is(errs.Invalid, err) {
		t.Errorf("negative limit: %v", err)
	}
	// The user filter takes a name as typed.
	if got := len(f.entries(t, account.AuditFilter{User: "ZHANG", Limit: 1})); got != 1 {
		t.Errorf("user filter as typed: %d", got)
	}
}
