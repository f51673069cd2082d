package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"govreply/internal/errs"
	"govreply/review/pii"
)

// Turn is one question and its answer in a conversation.
type Turn struct {
	// Owner is the user whose conversation it is ("" without accounts):
	// a session belongs to the user who started it, and an answerer
	// treats another user's session id as unknown.
	Owner    string    `json:"owner,omitempty"`
	Question string    `json:"question"`
	Query    string    `json:"query"` // what was searched for (the question, or it with the previous turn's query)
	Answer   string    `json:"answer"`
	At       time.Time `json:"at"` // set by the store when zero
}

// SessionStore keeps conversations. Get returns a session's turns, oldest
// first, each with the session's Owner (ok false when the id is unknown or
// expired); Append adds a turn, creating the session for t.Owner when it
// does not exist, and keeps only the most recent turns (the store's
// bound). Appending to another owner's session fails with kind
// errs.Forbidden and changes nothing. A store bounds the sessions it keeps
// per owner, dropping that owner's least recently used one, so that one
// user's flood never evicts another user's conversation. A store that
// cannot reach its database fails with an errs.Unavailable or
// errs.Timeout error naming it. Implementations are safe for concurrent
// use.
//
// bot/memory keeps sessions in memory (the embedded default; they end
// with the process); bot/postgres keeps them in PostgreSQL, for a server
// running on DATABASE_URL.
type SessionStore interface {
	Get(ctx context.Context, id string) (turns []Turn, ok bool, err error)
	Append(ctx context.Context, id string, t Turn) error
}

// ErrNotOwner is the error of an Append to another owner's session.
func ErrNotOwner(op string) error {
	return errs.E(op, errs.Forbidden, "这个会话属于其他用户，不能继续")
}

// NewSessionID returns a random session id: 128 bits, 32 hex digits.
func NewSessionID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", errs.E("bot.NewSessionID", errs.Internal, "生成会话 ID 失败", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// MaskPII returns a SessionStore that keeps the turns it is given with
// the ID, mobile and bank-card numbers the reviewer's detector finds in
// them masked (an ID or a mobile number as the reviewer suggests
// publishing it, 11*************02X and 138****5678; a bank card as
// 〔银行卡号〕), in the question, the query and the answer alike. A
// conversation is kept for days and read again; the numbers are not
// needed to continue it.
func MaskPII(s SessionStore, d *pii.Detector) SessionStore { return maskedSessions{s, d} }

type maskedSessions struct {
	SessionStore
	d *pii.Detector
}

func (m maskedSessions) Append(ctx context.Context, id string, t Turn) error {
	t.Question, t.Query, t.Answer = m.mask(t.Question), m.mask(t.Query), m.mask(t.Answer)
	return m.SessionStore.Append(ctx, id, t)
}

// Unwrap returns the store the turns are kept in.
func (m maskedSessions) Unwrap() SessionStore { return m.SessionStore }

func (m maskedSessions) mask(text string) string { return m.d.Mask(text) }
