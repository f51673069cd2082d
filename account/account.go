// Package account owns who may use govreply and what they did: users and
// their roles, passwords, API tokens, browser sessions, the permissions
// of knowledge collections and the audit trail.
//
// It follows the layout of Ben Johnson's WTF Dial: this package holds the
// domain types, the Store contract and the Service that implements the
// rules (password hashing, login throttling, token and session checks,
// permission rules, auditing) on any Store. Implementations of Store live
// in sub-packages named after what they wrap: account/memory (the
// embedded default) and account/postgres (production). Both pass
// account/storetest.
//
// Every message a person reads is Simplified Chinese; errors are
// internal/errs errors whose kinds and codes tests and the API act on.
package account

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"govreply/internal/errs"
)

// Role is what a user may do. A user may hold several roles.
type Role string

// The roles.
const (
	RoleAdmin    Role = "admin"    // 管理员: users, permissions, audit; reads and writes every collection
	RoleEditor   Role = "editor"   // 编辑: drafts replies, uploads documents
	RoleReviewer Role = "reviewer" // 审核员: decides on submissions
	RoleTrainer  Role = "trainer"  // 培训师: runs training, sees trainees' progress
	RoleTrainee  Role = "trainee"  // 学员: practises
)

// roles lists every role in its canonical order.
var roles = []Role{RoleAdmin, RoleEditor, RoleReviewer, RoleTrainer, RoleTrainee}

var roleNames = map[Role]string{
	RoleAdmin:    "管理员",
	RoleEditor:   "编辑",
	RoleReviewer: "审核员",
	RoleTrainer:  "培训师",
	RoleTrainee:  "学员",
}

// AllRoles returns every role in canonical order.
func AllRoles() []Role { return slices.Clone(roles) }

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool {
	_, ok := roleNames[r]
	return ok
}

// Name returns the role's Chinese name ("管理员"), or r itself when it is
// not a role.
func (r Role) Name() string {
	if n, ok := roleNames[r]; ok {
		return n
	}
	return string(r)
}

// RoleNames returns the Chinese names of rs joined by "、" ("编辑、审核员"),
// or "无" for none.
func RoleNames(rs []Role) string {
	if len(rs) == 0 {
		return "无"
	}
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = r.Name()
	}
	return strings.Join(names, "、")
}

// NormalizeRoles checks rs and returns them without repeats in canonical
// order (never nil). An unknown role is an errs.Invalid error with code
// CodeInvalidRole.
func NormalizeRoles(rs []Role) ([]Role, error) {
	out := []Role{}
	for _, r := range rs {
		if !r.Valid() {
			return nil, errs.E("account.NormalizeRoles", errs.Invalid, CodeInvalidRole,
				fmt.Sprintf("未知的角色 %q：可选 admin（管理员）、editor（编辑）、reviewer（审核员）、trainer（培训师）、trainee（学员）", string(r)))
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Role) int { return slices.Index(roles, a) - slices.Index(roles, b) })
	return out, nil
}

// ParseRoles converts role names ("editor") to roles, as NormalizeRoles.
func ParseRoles(names []string) ([]Role, error) {
	rs := make([]Role, len(names))
	for i, n := range names {
		rs[i] = Role(strings.ToLower(strings.TrimSpace(n)))
	}
	return NormalizeRoles(rs)
}

// MaxUsernameLen is the longest username, in characters.
const MaxUsernameLen = 64

// NormalizeUsername returns the canonical form of a username as typed:
// surrounding space removed and ASCII letters lower-cased, so that
// "ZhangSan" and "zhangsan" are one account. It does not validate.
func NormalizeUsername(s string) string {
	s = strings.TrimSpace(s)
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

// CheckUsername validates a canonical username (NormalizeUsername): 1 to
// MaxUsernameLen characters, each a lower-case ASCII letter, a digit,
// '.', '_', '-' or a Chinese character. The error has kind Invalid and
// code CodeInvalidUsername.
func CheckUsername(name string) error {
	const op = "account.CheckUsername"
	if name == "" {
		return errs.E(op, errs.Invalid, CodeInvalidUsername, "用户名不能为空")
	}
	if n := utf8.RuneCountInString(name); n > MaxUsernameLen {
		return errs.E(op, errs.Invalid, CodeInvalidUsername, fmt.Sprintf("用户名过长：最多 %d 个字符，收到 %d 个", MaxUsernameLen, n))
	}
	if !utf8.ValidString(name) {
		return errs.E(op, errs.Invalid, CodeInvalidUsername, "用户名含有无效的字符编码")
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		case unicode.Is(unicode.Han, r):
		case r >= 'A' && r <= 'Z':
			return errs.E(op, errs.Invalid, CodeInvalidUsername, fmt.Sprintf("用户名 %q 含有大写字母：用户名不区分大小写，请使用小写", name))
		default:
			return errs.E(op, errs.Invalid, CodeInvalidUsername,
				fmt.Sprintf("用户名 %q 含有不允许的字符 %q：只能使用字母、数字、汉字和 . _ -", name, r))
		}
	}
	return nil
}

// User is an account. Its password hash is kept by the Store beside it,
// never in this struct, so a User can be shown or serialised as it is.
type User struct {
	Username  string    `json:"username"`
	Roles     []Role    `json:"roles"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks a user before a Store creates it: a canonical username
// and known roles (kind Invalid).
func (u User) Validate() error {
	if err := CheckUsername(u.Username); err != nil {
		return err
	}
	_, err := NormalizeRoles(u.Roles)
	return err
}

// Principal returns who u is when signed in.
func (u User) Principal() Principal {
	return Principal{Username: u.Username, Roles: slices.Clone(u.Roles)}
}

// UserUpdate changes some fields of a user; nil fields stay as they are.
type UserUpdate struct {
	Roles        *[]Role
	Disabled     *bool
	PasswordHash *string
	// UpdatedAt is the time of the change; zero means now.
	UpdatedAt time.Time
}

// Validate checks an update before a Store applies it (kind Invalid).
func (up UserUpdate) Validate() error {
	if up.Roles != nil {
		if _, err := NormalizeRoles(*up.Roles); err != nil {
			return err
		}
	}
	if up.PasswordHash != nil && *up.PasswordHash == "" {
		return errs.E("account.UserUpdate", errs.Invalid, "密码哈希不能为空")
	}
	return nil
}

// Principal is who makes a request: a signed-in user and the roles they
// hold at the time. The zero Principal is nobody (not signed in).
type Principal struct {
	Username string `json:"username"`
	Roles    []Role `json:"roles"`
}

// Has reports whether p holds role r.
func (p Principal) Has(r Role) bool { return slices.Contains(p.Roles, r) }

// SignedIn reports whether p is a user (not the zero Principal).
func (p Principal) SignedIn() bool { return p.Username != "" }

// Names of actors that are no account (no username can have them), as
// the audit trail records them.
const (
	OperatorName = "(cli)"    // the person at the command line
	SystemName   = "(system)" // govreply itself: Bootstrap
)

// Operator returns the person at the command line (govreply user …): an
// administrator named OperatorName, so that the audit trail tells their
// actions apart from a user's.
func Operator() Principal { return Principal{Username: OperatorName, Roles: []Role{RoleAdmin}} }

// Error codes of the package; each refines the kind it is used with.
const (
	CodeInvalidUsername errs.Code = "invalid_username"  // Invalid
	CodeInvalidRole     errs.Code = "invalid_role"      // Invalid
	CodeWeakPassword    errs.Code = "weak_password"     // Invalid: too short (or too long)
	CodeUserExists      errs.Code = "user_exists"       // Conflict
	CodeUserNotFound    errs.Code = "user_not_found"    // NotFound
	CodeLastAdmin       errs.Code = "last_admin"        // Conflict: the last enabled admin would go
	CodeBadCredentials  errs.Code = "bad_credentials"   // Unauthenticated: unknown user or wrong password
	CodeAccountDisabled errs.Code = "account_disabled"  // Forbidden at login
	CodeLoginThrottled  errs.Code = "login_throttled"   // RateLimited, with RetryAfter
	CodeInvalidToken    errs.Code = "invalid_token"     // Unauthenticated: forged, expired, revoked, disabled user
	CodeInvalidSession  errs.Code = "invalid_session"   // Unauthenticated: unknown or expired session, disabled user
	CodeCSRF            errs.Code = "csrf_invalid"      // Forbidden
	CodeNoAccessRecord  errs.Code = "no_access_record"  // NotFound: a collection without permissions
	CodeBuiltinReadOnly errs.Code = "builtin_read_only" // Forbidden: the built-in collection's permissions are fixed
)
