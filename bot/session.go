package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"govreply/internal/errs"
)

// Turn is one question and its answer in a conversation.
type Turn struct {
	Question string    `json:"question"`
	Query    string    `json:"query"` // what was searched for (the question, or it with the previous turn's query)
	Answer   string    `json:"answer"`
	At       time.Time `json:"at"` // set by the store when zero
}

// SessionStore keeps conversations. Get returns a session's turns, oldest
// first (ok false when the id is unknown or expired); Append adds a turn,
// creating the session when it does not exist, and keeps only the most
// recent turns (the store's bound). A store that cannot reach its
// database fails with an errs.Unavailable or errs.Timeout error naming
// it. Implementations are safe for concurrent use.
//
// bot/memory keeps sessions in memory (the embedded default; they end
// with the process); bot/postgres keeps them in PostgreSQL, for a server
// running on DATABASE_URL.
type SessionStore interface {
	Get(ctx context.Context, id string) (turns []Turn, ok bool, err error)
	Append(ctx context.Context, id string, t Turn) error
}

// NewSessionID returns a random session id: 128 bits, 32 hex digits.
func NewSessionID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", errs.E("bot.NewSessionID", errs.Internal, "生成会话 ID 失败", err)
	}
	return hex.EncodeToString(b[:]), nil
}
