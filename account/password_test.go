package account_test

import (
	"regexp"
	"strings"
	"testing"

	"govreply/account"
	"govreply/internal/errs"
)

// cheap are argon2id parameters that make tests fast; the encoding and
// the comparison are the same as with the defaults.
var cheap = account.PasswordParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashPasswordDefaults(t *testing.T) {
	t.Parallel()
	h := account.HashPassword("正确的密码 horse", account.DefaultPasswordParams)
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=3,p=4\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !re.MatchString(h) {
		t.Fatalf("hash %q is not RFC 9106's second option in the PHC format", h)
	}
	tests := []struct {
		password string
		ok       bool
	}{
		{"正确的密码 horse", true},
		{"正确的密码 Horse", false},
		{"正确的密码 horse ", false},
		{"", false},
	}
	for _, tt := range tests {
		ok, err := account.VerifyPassword(h, tt.password)
		if err != nil || ok != tt.ok {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", tt.password, ok, err, tt.ok)
		}
	}
}

func TestHashPasswordSalted(t *testing.T) {
	t.Parallel()
	a, b := account.HashPassword("same password", cheap), account.HashPassword("same password", cheap)
	if a == b {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, h := range []string{a, b} {
		if ok, err := account.VerifyPassword(h, "same password"); !ok || err != nil {
			t.Errorf("VerifyPassword(%q) = %v, %v", h, ok, err)
		}
	}
}

func TestVerifyPasswordMalformed(t *testing.T) {
	t.Parallel()
	good := account.HashPassword("password", cheap)
	parts := strings.Split(good, "$")
	tests := []string{
		"",
		"plain",
		"$argon2i$v=19$m=64,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=16$m=64,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=0,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=99999999,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1$!!!$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1$" + parts[4] + "$",
		"$argon2id$v=19$m=64,t=1,p=1$" + parts[4],
	}
	for _, h := range tests {
		ok, err := account.VerifyPassword(h, "password")
		if ok || !errs.Is(errs.Internal, err) {
			t.Errorf("VerifyPassword(%q) = %v, %v; want an internal error", h, ok, err)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		password string
		ok       bool
	}{
		{"1234567", false},
		{"12345678", true},
		{"八个汉字的密码呀", true},
		{"七个汉字的密码", false},
		{strings.Repeat("a", 256), true},
		{strings.Repeat("a", 257), false},
		{"abcdefg\xff", false},
	}
	for _, tt := range tests {
		err := account.CheckPassword(tt.password)
		if (err == nil) != tt.ok {
			t.Errorf("CheckPassword(%q) = %v", tt.password, err)
		}
		if err != nil && (!errs.Is(errs.Invalid, err) || !errs.HasCode(err, account.CodeWeakPassword) || !hasHan(errs.MessageOf(err))) {
			t.Errorf("CheckPassword(%q): %v, want a Chinese weak_password", tt.password, err)
		}
	}
	if msg := errs.MessageOf(account.CheckPassword("short")); !strings.Contains(msg, "至少需要 8 个字符") {
		t.Errorf("message %q", msg)
	}
}

// BenchmarkHashPassword is the cost of one login's hash with the default
// parameters (go test -bench HashPassword ./account).
func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		account.HashPassword("correct horse battery staple", account.DefaultPasswordParams)
	}
}

// BenchmarkVerifyPassword is the cost of checking a password.
func BenchmarkVerifyPassword(b *testing.B) {
	h := account.HashPassword("correct horse battery staple", account.DefaultPasswordParams)
	for b.Loop() {
		if ok, err := account.VerifyPassword(h, "correct horse battery staple"); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
