package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"govreply/internal/errs"
)

// The argon2id parameters of new password hashes: RFC 9106 §4's second
// recommended option, for when 2 GiB per hash is too much memory ("uses
// Argon2id with t=3 iterations, p=4 lanes, m=2^(16) (64 MiB of RAM),
// 128-bit salt, and 256-bit tag size").
const (
	Argon2Memory  = 64 * 1024 // KiB: 64 MiB
	Argon2Time    = 3         // passes
	Argon2Threads = 4         // lanes
	Argon2SaltLen = 16        // bytes: 128 bits
	Argon2KeyLen  = 32        // bytes: 256 bits
)

// Password length limits, in characters. The maximum keeps a login from
// hashing megabytes.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 256
)

// PasswordParams are argon2id's cost parameters.
type PasswordParams struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultPasswordParams are the parameters of RFC 9106's second
// recommended option (the Argon2 constants above).
var DefaultPasswordParams = PasswordParams{
	Memory: Argon2Memory, Time: Argon2Time, Threads: Argon2Threads,
	SaltLen: Argon2SaltLen, KeyLen: Argon2KeyLen,
}

// CheckPassword validates a new password: MinPasswordLen to
// MaxPasswordLen characters. The error has kind Invalid and code
// CodeWeakPassword.
func CheckPassword(password string) error {
	const op = "account.CheckPassword"
	if !utf8.ValidString(password) {
		return errs.E(op, errs.Invalid, CodeWeakPassword, "密码含有无效的字符编码")
	}
	switch n := utf8.RuneCountInString(password); {
	case n < MinPasswordLen:
		return errs.E(op, errs.Invalid, CodeWeakPassword, fmt.Sprintf("密码太短：至少需要 %d 个字符", MinPasswordLen))
	case n > MaxPasswordLen:
		return errs.E(op, errs.Invalid, CodeWeakPassword, fmt.Sprintf("密码太长：最多 %d 个字符", MaxPasswordLen))
	}
	return nil
}

// HashPassword returns the argon2id hash of password with a new random
// salt, encoded as $argon2id$v=19$m=…,t=…,p=…$salt$hash (salt and hash
// in unpadded standard base64, as the reference implementation writes
// them).
func HashPassword(password string, p PasswordParams) string {
	salt := make([]byte, p.SaltLen)
	_, _ = rand.Read(salt) // never fails (crypto/rand, Go 1.24+)
	return encodeHash(p, salt, argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen))
}

func encodeHash(p PasswordParams, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decodeHash parses an encoded argon2id hash.
func decodeHash(encoded string) (p PasswordParams, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("not an argon2id hash")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, fmt.Errorf("unsupported argon2 version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("bad argon2 parameters %q: %w", parts[3], err)
	}
	if p.Memory == 0 || p.Time == 0 || p.Threads == 0 || p.Memory > 4*1024*1024 || p.Time > 64 {
		return p, nil, nil, fmt.Errorf("argon2 parameters out of range %q", parts[3])
	}
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, nil, nil, fmt.Errorf("bad salt: %w", err)
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) == 0 || len(key) > 1024 {
		return p, nil, nil, fmt.Errorf("bad hash")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// VerifyPassword reports whether password matches encoded, a hash of
// HashPassword (with whatever parameters it records), comparing in
// constant time. A hash that cannot be parsed is an errs.Internal error.
func VerifyPassword(encoded, password string) (bool, error) {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false, errs.E("account.VerifyPassword", errs.Internal, "密码哈希格式无效", err)
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// needsRehash reports whether encoded was made with parameters other than p.
func needsRehash(encoded string, p PasswordParams) bool {
	q, _, _, err := decodeHash(encoded)
	return err != nil || q != p
}
