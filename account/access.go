package account

import (
	"fmt"
	"slices"
	"unicode"
	"unicode/utf8"

	"govreply/internal/errs"
)

// BuiltinCollection is the collection of the built-in knowledge base
// (knowledge/builtin.Collection): readable by every signed-in user,
// writable by nobody.
const BuiltinCollection = "builtin"

// MaxCollectionLen is the longest collection name an access record may
// have, in characters (knowledge.MaxCollectionLen).
const MaxCollectionLen = 64

// Grant lists who a permission is given to: holders of any of Roles and
// the users named in Users.
type Grant struct {
	Roles []Role   `json:"roles"`
	Users []string `json:"users"`
}

// Access is the permissions of one knowledge collection.
type Access struct {
	Readers Grant `json:"readers"`
	Writers Grant `json:"writers"`
}

// CollectionAccess is a collection's access record.
type CollectionAccess struct {
	Collection string `json:"collection"`
	Access
}

// includes reports whether g gives its permission to p.
func (g Grant) includes(p Principal) bool {
	if !p.SignedIn() {
		return false
	}
	if slices.Contains(g.Users, p.Username) {
		return true
	}
	for _, r := range p.Roles {
		if slices.Contains(g.Roles, r) {
			return true
		}
	}
	return false
}

// normalize checks g and returns it canonical: roles in canonical order,
// usernames canonical (NormalizeUsername), sorted, without repeats, and
// neither slice nil.
func (g Grant) normalize() (Grant, error) {
	rs, err := NormalizeRoles(g.Roles)
	if err != nil {
		return Grant{}, err
	}
	users := []string{}
	for _, u := range g.Users {
		u = NormalizeUsername(u)
		if err := CheckUsername(u); err != nil {
			return Grant{}, err
		}
		if !slices.Contains(users, u) {
			users = append(users, u)
		}
	}
	slices.Sort(users)
	return Grant{Roles: rs, Users: users}, nil
}

// Normalize checks a and returns it canonical (kind Invalid on an unknown
// role or a bad username). Stores keep access records canonical.
func (a Access) Normalize() (Access, error) {
	r, err := a.Readers.normalize()
	if err != nil {
		return Access{}, err
	}
	w, err := a.Writers.normalize()
	if err != nil {
		return Access{}, err
	}
	return Access{Readers: r, Writers: w}, nil
}

// CheckCollection validates the name of a collection an access record is
// kept for: 1 to MaxCollectionLen printable characters (knowledge checks
// names in full where collections are made). The error has kind Invalid.
func CheckCollection(name string) error {
	const op = "account.CheckCollection"
	if name == "" {
		return errs.E(op, errs.Invalid, "集合名不能为空")
	}
	if n := utf8.RuneCountInString(name); n > MaxCollectionLen {
		return errs.E(op, errs.Invalid, fmt.Sprintf("集合名过长：最多 %d 个字符，收到 %d 个", MaxCollectionLen, n))
	}
	for _, r := range name {
		if r == utf8.RuneError || !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return errs.E(op, errs.Invalid, fmt.Sprintf("集合名 %q 含有不允许的字符", name))
		}
	}
	return nil
}

// canRead applies the read rule to a collection whose access record is a
// (found false: it has none).
func canRead(p Principal, collection string, a Access, found bool) bool {
	switch {
	case !p.SignedIn():
		return false
	case collection == BuiltinCollection, p.Has(RoleAdmin):
		return true
	}
	return found && a.Readers.includes(p)
}

// canWrite applies the write rule, as canRead.
func canWrite(p Principal, collection string, a Access, found bool) bool {
	switch {
	case !p.SignedIn(), collection == BuiltinCollection:
		return false
	case p.Has(RoleAdmin):
		return true
	}
	return found && a.Writers.includes(p)
}
