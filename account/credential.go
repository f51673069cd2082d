package account

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
)

// Hash is the SHA-256 of a secret (an API token or a session cookie): the
// Store keeps only hashes, so that a copy of the database lets no one in.
type Hash [sha256.Size]byte

// HashSecret returns the hash of secret.
func HashSecret(secret string) Hash { return sha256.Sum256([]byte(secret)) }

// TokenPrefix starts every API token secret.
const TokenPrefix = "gr_"

// secretBytes is the entropy of a token secret and of a session cookie.
const secretBytes = 32

// secretLen is the length of secretBytes in unpadded base64url.
var secretLen = base64.RawURLEncoding.EncodedLen(secretBytes)

// newSecret returns secretBytes random bytes in unpadded base64url.
func newSecret() string {
	b := make([]byte, secretBytes)
	_, _ = rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// wellFormed reports whether s looks like newSecret's output, so that
// forged values of the wrong shape never reach the Store.
func wellFormed(s string) bool {
	if len(s) != secretLen {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// NewTokenSecret returns a new API token secret: TokenPrefix and 32
// random bytes in unpadded base64url.
func NewTokenSecret() string { return TokenPrefix + newSecret() }

// LooksLikeToken reports whether s has the shape of a token secret (it
// says nothing about whether the token exists).
func LooksLikeToken(s string) bool {
	rest, ok := strings.CutPrefix(s, TokenPrefix)
	return ok && wellFormed(rest)
}

// newID returns a public identifier (16 hex digits) for a token or a
// session: it names the record in lists and the audit trail and is no
// credential.
func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// MaxTokenNameLen is the longest token name, in characters.
const MaxTokenNameLen = 64

// Token is an API token (Authorization: Bearer gr_…). Its secret is shown
// once, when it is created; the Store keeps its Hash.
type Token struct {
	ID         string    `json:"id"`
	Username   string    `json:"username"`
	Name       string    `json:"name"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"` // zero: never used
	RevokedAt  time.Time `json:"revoked_at,omitzero"`   // zero: not revoked
}

// Revoked reports whether t has been revoked.
func (t Token) Revoked() bool { return !t.RevokedAt.IsZero() }

// Expired reports whether t has expired at now.
func (t Token) Expired(now time.Time) bool { return !now.Before(t.ExpiresAt) }

// Session is a signed-in browser. Its cookie value is random and shown
// only to the browser; the Store keeps its Hash. CSRF is the token the
// browser sends back in a header with every state-changing request.
type Session struct {
	ID        string    `json:"id"`
	Username  string    `json:"username"`
	CSRF      string    `json:"-"`
	Client    string    `json:"client"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Expired reports whether s has expired at now.
func (s Session) Expired(now time.Time) bool { return !now.Before(s.ExpiresAt) }

// CheckCSRF reports, in constant time, whether token is s's CSRF token;
// otherwise it returns an errs.Forbidden error with code CodeCSRF.
func CheckCSRF(s Session, token string) error {
	if s.CSRF != "" && subtle.ConstantTimeCompare([]byte(s.CSRF), []byte(token)) == 1 {
		return nil
	}
	return errForbidden("account.CheckCSRF", CodeCSRF, "安全校验失败（CSRF 令牌无效），请刷新页面后重试")
}
