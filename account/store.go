package account

import (
	"context"
	"fmt"
	"time"

	"govreply/internal/errs"
)

// Store keeps accounts, credentials, permissions and the audit trail. It
// stores what it is given and enforces no policy: the Service hashes
// passwords, checks expiry and decides who may do what.
//
// The contract, checked by account/storetest for every implementation:
//
//   - Every method is safe for concurrent use. Every write that returns
//     nil is kept (in the database: committed).
//   - Errors are internal/errs errors: an unknown user, token, session or
//     access record is errs.NotFound; creating what exists (a user, a
//     collection's access record, an id or hash already used) is
//     errs.Conflict; input that fails its type's Validate (User,
//     UserUpdate, Access.Normalize, Entry, CheckCollection) is
//     errs.Invalid and changes nothing. A database that is down is
//     errs.Unavailable (internal/pgdb.Wrap).
//   - Values returned are copies: changing them changes nothing stored.
//     Times come back equal (time.Time.Equal) to those stored, to the
//     microsecond; slices are never nil.
//
// Users:
//   - CreateUser stores u (u.Validate; roles normalised) with its
//     password hash (non-empty). Usernames are compared exactly: the
//     Service makes them canonical first.
//   - User returns one user; Credentials returns it with its password
//     hash. Users returns every user, by username.
//   - UpdateUser applies the non-nil fields of up and sets UpdatedAt (up's,
//     or now when zero), returning the user as updated.
//   - CountUsers counts every user, disabled ones included.
//
// Tokens (hash: HashSecret of the secret):
//   - AddToken stores t for an existing user (else NotFound).
//   - TokenByHash returns the token whatever its state (expired, revoked):
//     the Service judges. Tokens lists a user's tokens, newest first (by
//     CreatedAt, then ID); an unknown user has none.
//   - RevokeToken sets RevokedAt of the user's token id to at, unless it
//     is already revoked (the first time stays), and returns the token;
//     a token of another user is NotFound.
//   - TouchToken sets LastUsedAt to at.
//
// Sessions (hash: HashSecret of the cookie value):
//   - AddSession stores s for an existing user (else NotFound).
//   - SessionByHash returns the session even when it has expired.
//     Sessions lists a user's sessions, newest first.
//   - DeleteSession deletes one session by its id; DeleteUserSessions
//     deletes every session of a user and returns how many.
//
// Collection access:
//   - AddAccess stores a collection's first access record (Conflict when
//     it has one); SetAccess creates or replaces it. Both keep it
//     canonical (Access.Normalize).
//   - Access returns a collection's record (NotFound, code
//     CodeNoAccessRecord, when it has none); Accesses lists every record
//     by collection.
//
// Audit:
//   - Append adds an entry (Entry.Validate); nothing changes or removes
//     entries afterwards.
//   - Entries returns the entries f matches (AuditFilter.Matches), newest
//     first (by Time, then the later appended first), at most f.Limit of
//     them when it is positive.
//
// Sweep deletes the sessions and tokens that have expired at now (those
// whose ExpiresAt is not after now) and returns how many it deleted.
type Store interface {
	CreateUser(ctx context.Context, u User, passwordHash string) error
	User(ctx context.Context, username string) (User, error)
	Credentials(ctx context.Context, username string) (User, string, error)
	Users(ctx context.Context) ([]User, error)
	UpdateUser(ctx context.Context, username string, up UserUpdate) (User, error)
	CountUsers(ctx context.Context) (int, error)

	AddToken(ctx context.Context, t Token, hash Hash) error
	TokenByHash(ctx context.Context, hash Hash) (Token, error)
	Tokens(ctx context.Context, username string) ([]Token, error)
	RevokeToken(ctx context.Context, username, id string, at time.Time) (Token, error)
	TouchToken(ctx context.Context, id string, at time.Time) error

	AddSession(ctx context.Context, s Session, hash Hash) error
	SessionByHash(ctx context.Context, hash Hash) (Session, error)
	Sessions(ctx context.Context, username string) ([]Session, error)
	DeleteSession(ctx context.Context, id string) error
	DeleteUserSessions(ctx context.Context, username string) (int, error)

	AddAccess(ctx context.Context, collection string, a Access) error
	SetAccess(ctx context.Context, collection string, a Access) error
	Access(ctx context.Context, collection string) (Access, error)
	Accesses(ctx context.Context) ([]CollectionAccess, error)

	Append(ctx context.Context, e Entry) error
	Entries(ctx context.Context, f AuditFilter) ([]Entry, error)

	Sweep(ctx context.Context, now time.Time) (int, error)
}

// The errors of a Store, shared by the implementations so that both say
// the same.

// ErrUserNotFound is the NotFound error (CodeUserNotFound) of an unknown
// user.
func ErrUserNotFound(op, username string) error {
	return errs.E(op, errs.NotFound, CodeUserNotFound, fmt.Sprintf("用户 %s 不存在", username))
}

// ErrUserExists is the Conflict error (CodeUserExists) of creating a user
// who exists.
func ErrUserExists(op, username string) error {
	return errs.E(op, errs.Conflict, CodeUserExists, fmt.Sprintf("用户 %s 已存在", username))
}

// ErrTokenNotFound is the NotFound error of an unknown token.
func ErrTokenNotFound(op string) error { return errs.E(op, errs.NotFound, "令牌不存在") }

// ErrSessionNotFound is the NotFound error of an unknown session.
func ErrSessionNotFound(op string) error { return errs.E(op, errs.NotFound, "会话不存在") }

// ErrNoAccessRecord is the NotFound error (CodeNoAccessRecord) of a
// collection without an access record.
func ErrNoAccessRecord(op, collection string) error {
	return errs.E(op, errs.NotFound, CodeNoAccessRecord, fmt.Sprintf("集合 %s 尚未设置权限", collection))
}

// ErrAccessExists is the Conflict error of AddAccess on a collection that
// has an access record.
func ErrAccessExists(op, collection string) error {
	return errs.E(op, errs.Conflict, fmt.Sprintf("集合 %s 已设置权限", collection))
}
