package account

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"govreply/internal/errs"
)

// Action is what an audit entry records. Other packages may record
// actions of their own: any 1 to 32 lower-case ASCII letters and '_'.
type Action string

// The actions govreply records.
const (
	ActionLogin            Action = "login"             // a password login succeeded
	ActionLoginFailed      Action = "login_failed"      // a password login was refused; Object says why
	ActionLogout           Action = "logout"            // a browser session was ended
	ActionTokenCreate      Action = "token_create"      // Object: the token's id
	ActionTokenRevoke      Action = "token_revoke"      // Object: the token's id
	ActionUserCreate       Action = "user_create"       // Object: the username
	ActionUserUpdate       Action = "user_update"       // Object: the username and what changed
	ActionPasswordChange   Action = "password_change"   // Object: the username
	ActionUpload           Action = "upload"            // Object: collection/document
	ActionDelete           Action = "delete"            // Object: collection/document
	ActionPermissionChange Action = "permission_change" // Object: the collection
	ActionReviewDecision   Action = "review_decision"   // Object: the submission and the decision
	ActionReviewSubmit     Action = "review_submit"     // Object: the submission
	ActionReviewRevise     Action = "review_revise"     // Object: the submission
	ActionReviewWithdraw   Action = "review_withdraw"   // Object: the submission
	ActionOfficePut        Action = "office_put"        // Object: the office
	ActionOfficeDelete     Action = "office_delete"     // Object: the office
)

// Why a login was refused, the Object of its login_failed entry.
const (
	LoginBadCredentials = "bad_credentials" // unknown user or wrong password (Outcome failed)
	LoginDisabled       = "disabled"        // the account is disabled (Outcome denied)
	LoginRateLimited    = "rate_limited"    // too many failures (Outcome denied)
)

// Valid reports whether a is a well-formed action.
func (a Action) Valid() bool {
	if a == "" || len(a) > 32 {
		return false
	}
	for _, r := range a {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}

// Outcome is how an audited action ended.
type Outcome string

// The outcomes.
const (
	OutcomeOK     Outcome = "ok"     // done
	OutcomeDenied Outcome = "denied" // refused: no permission, disabled, throttled
	OutcomeFailed Outcome = "failed" // attempted and failed: wrong password, an error
)

// Valid reports whether o is one of the outcomes.
func (o Outcome) Valid() bool {
	return o == OutcomeOK || o == OutcomeDenied || o == OutcomeFailed
}

// Limits on the text fields of an Entry, in characters; Service.Record
// shortens longer values.
const (
	MaxEntryUser   = 128
	MaxEntryClient = 256
	MaxEntryObject = 1024
)

// Entry is one line of the audit trail. It is never changed or deleted
// once appended.
type Entry struct {
	Time    time.Time `json:"time"`
	User    string    `json:"user"`   // who acted (or tried to log in as); "(cli)" at the command line
	Client  string    `json:"client"` // the client's address; "cli" at the command line
	Action  Action    `json:"action"`
	Object  string    `json:"object"` // what was acted on; see the Action constants
	Outcome Outcome   `json:"outcome"`
}

// Validate checks an entry before a Store appends it (kind Invalid).
func (e Entry) Validate() error {
	const op = "account.Entry"
	switch {
	case e.Time.IsZero():
		return errs.E(op, errs.Invalid, "审计记录缺少时间")
	case !e.Action.Valid():
		return errs.E(op, errs.Invalid, fmt.Sprintf("审计记录的操作 %q 无效", string(e.Action)))
	case !e.Outcome.Valid():
		return errs.E(op, errs.Invalid, fmt.Sprintf("审计记录的结果 %q 无效：可选 ok、denied、failed", string(e.Outcome)))
	case !utf8.ValidString(e.User + e.Client + e.Object):
		return errs.E(op, errs.Invalid, "审计记录含有无效的字符编码")
	}
	return nil
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	Since  time.Time // inclusive; zero: from the first
	Until  time.Time // exclusive; zero: to the last
	User   string    // "": everyone
	Action Action    // "": every action
	// Limit caps how many entries are returned, newest first. For a
	// Store 0 means no cap; Service.Audit applies DefaultAuditLimit and
	// MaxAuditLimit.
	Limit int
}

// Limits of Service.Audit.
const (
	DefaultAuditLimit = 200
	MaxAuditLimit     = 10_000
)

// Matches reports whether e passes f's conditions, ignoring its limit.
func (f AuditFilter) Matches(e Entry) bool {
	return (f.Since.IsZero() || !e.Time.Before(f.Since)) &&
		(f.Until.IsZero() || e.Time.Before(f.Until)) &&
		(f.User == "" || e.User == f.User) &&
		(f.Action == "" || e.Action == f.Action)
}

// WriteCSV writes entries as CSV: a header of the JSON field names
// (time,user,client,action,object,outcome), then one row per entry with
// its time in RFC 3339. A cell that a spreadsheet would read as a
// formula (beginning with =, +, -, @, a tab or a carriage return) is
// prefixed with ' so that it is shown, never run.
func WriteCSV(w io.Writer, entries []Entry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"time", "user", "client", "action", "object", "outcome"}); err != nil {
		return err
	}
	for _, e := range entries {
		row := []string{e.Time.Format(time.RFC3339), e.User, e.Client, string(e.Action), e.Object, string(e.Outcome)}
		for i, cell := range row {
			row[i] = defuse(cell)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// defuse prefixes a cell that a spreadsheet would run as a formula.
// DefuseCSV is a CSV cell as WriteCSV writes it: one a spreadsheet would
// run as a formula gets a leading '.
func DefuseCSV(cell string) string { return defuse(cell) }

func defuse(cell string) string {
	if cell == "" {
		return cell
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + cell
	}
	return cell
}

type clientKey struct{}

// WithClient returns ctx carrying the address of the client a request
// comes from; the Service records it in the audit entries of actions
// done with ctx (the API's middleware sets it on every request).
func WithClient(ctx context.Context, client string) context.Context {
	return context.WithValue(ctx, clientKey{}, client)
}

// ClientOf returns the client address WithClient put in ctx, or "".
func ClientOf(ctx context.Context) string {
	s, _ := ctx.Value(clientKey{}).(string)
	return s
}

// truncate shortens s to at most n characters.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
