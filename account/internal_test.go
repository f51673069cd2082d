package account

import (
	"fmt"
	"testing"
	"time"
)

// TestDummyHash: an unknown user's login compares with a hash of the same
// cost as a real one, and matches no password.
func TestDummyHash(t *testing.T) {
	t.Parallel()
	for _, p := range []PasswordParams{DefaultPasswordParams, {Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}} {
		s := NewService(nil, Options{Password: p})
		if needsRehash(s.dummy, p) {
			t.Errorf("the dummy hash %q does not have the parameters %+v", s.dummy, p)
		}
		if p.Memory > 64 {
			continue // one real-cost check is enough
		}
		for _, pw := range []string{"", "password", "\x00"} {
			if ok, err := VerifyPassword(s.dummy, pw); ok || err != nil {
				t.Errorf("the dummy hash matched %q: %v", pw, err)
			}
		}
	}
}

// TestThrottleBounded: however many keys fail, the throttle remembers at
// most its capacity, forgetting the least recently failed.
func TestThrottleBounded(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	th := newThrottle(5, 15*time.Minute, 100)
	for i := range 10_000 {
		th.begin(now, fmt.Sprint("user:", i))
		th.begin(now, "addr:192.0.2.1") // refused after 5, and so kept
	}
	if n := th.len(); n != 100 {
		t.Errorf("%d keys remembered, want 100", n)
	}
	if _, ok := th.begin(now, "addr:192.0.2.1"); ok {
		t.Error("the address failing all along was forgotten")
	}
	for _, k := range []string{"user:0", "user:9899"} {
		if _, ok := th.keys[k]; ok {
			t.Errorf("%s, failing long ago, is still remembered", k)
		}
	}
}

func TestAddressKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"192.0.2.1", "addr:192.0.2.1"},
		{"192.0.2.1:5555", "addr:192.0.2.1"},
		{"::ffff:192.0.2.1", "addr:192.0.2.1"},
		{"2001:db8:1:2:3:4:5:6", "addr:2001:db8:1:2::/64"},
		{"[2001:db8:1:2::9]:443", "addr:2001:db8:1:2::/64"},
		{"fe80::1%eth0", "addr:fe80::/64"},
		{"not an address", "addr:not an address"},
	}
	for _, tt := range tests {
		if got := addressKey(tt.in); got != tt.want {
			t.Errorf("addressKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWaitText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    time.Duration
		want string
	}{
		{30 * time.Second, " 30 秒"},
		{1500 * time.Millisecond, " 2 秒"},
		{time.Minute, " 1 分钟"},
		{11*time.Minute + time.Second, " 12 分钟"},
	}
	for _, tt := range tests {
		if got := waitText(tt.d); got != tt.want {
			t.Errorf("waitText(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
