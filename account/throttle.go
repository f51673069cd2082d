package account

import (
	"container/list"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// throttle counts failed logins per key (an account, a client address)
// in a sliding window and refuses a key that has max failures in it. It
// keeps at most capacity keys: the least recently failed one is
// forgotten to make room, so its memory is bounded whatever an attacker
// sends. It is safe for concurrent use.
type throttle struct {
	max      int
	window   time.Duration
	capacity int

	mu    sync.Mutex
	keys  map[string]*list.Element // of *failures
	order *list.List               // most recently failed first
}

// failures are the times of a key's recent failures, oldest first.
type failures struct {
	key   string
	times []time.Time
}

func newThrottle(max int, window time.Duration, capacity int) *throttle {
	return &throttle{max: max, window: window, capacity: capacity, keys: map[string]*list.Element{}, order: list.New()}
}

// prune drops the failures of f that left the window at now.
func (t *throttle) prune(f *failures, now time.Time) {
	cut := now.Add(-t.window)
	i := 0
	for i < len(f.times) && !f.times[i].After(cut) {
		i++
	}
	f.times = f.times[i:]
}

// begin starts a login attempt for keys at now. When a key has max
// failures in the window it returns how long until one leaves it, and
// false. Otherwise it counts the attempt as a failure of every key in
// advance (so that concurrent guesses cannot overtake the count) and
// returns true; the caller then calls succeed or cancel when the attempt
// did not fail.
func (t *throttle) begin(now time.Time, keys ...string) (time.Duration, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var wait time.Duration
	for _, k := range keys {
		el, ok := t.keys[k]
		if !ok {
			continue
		}
		f := el.Value.(*failures)
		t.prune(f, now)
		if len(f.times) >= t.max {
			wait = max(wait, f.times[len(f.times)-t.max].Add(t.window).Sub(now))
			// A key still trying is kept: others failing cannot make
			// room by pushing it out.
			t.order.MoveToFront(el)
		}
	}
	if wait > 0 {
		return wait, false
	}
	for _, k := range keys {
		t.add(k, now)
	}
	return 0, true
}

// add records a failure of key at now.
func (t *throttle) add(key string, now time.Time) {
	el, ok := t.keys[key]
	if !ok {
		el = t.order.PushFront(&failures{key: key})
		t.keys[key] = el
		for t.order.Len() > t.capacity {
			old := t.order.Back()
			t.order.Remove(old)
			delete(t.keys, old.Value.(*failures).key)
		}
	}
	t.order.MoveToFront(el)
	f := el.Value.(*failures)
	t.prune(f, now)
	f.times = append(f.times, now)
	if len(f.times) > t.max { // older ones no longer decide anything
		f.times = slices.Delete(f.times, 0, len(f.times)-t.max)
	}
}

// cancel takes back the failure begin counted at at for every key: the
// attempt ended neither in success nor in failure (the store failed).
func (t *throttle) cancel(at time.Time, keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		el, ok := t.keys[k]
		if !ok {
			continue
		}
		f := el.Value.(*failures)
		if i := slices.IndexFunc(f.times, at.Equal); i >= 0 {
			f.times = slices.Delete(f.times, i, i+1)
		}
		if len(f.times) == 0 {
			t.order.Remove(el)
			delete(t.keys, k)
		}
	}
}

// succeed ends an attempt begun at at that succeeded: the account's
// failures are forgotten, the other keys' count of this attempt taken
// back.
func (t *throttle) succeed(at time.Time, account string, others ...string) {
	t.cancel(at, others...)
	t.mu.Lock()
	defer t.mu.Unlock()
	if el, ok := t.keys[account]; ok {
		t.order.Remove(el)
		delete(t.keys, account)
	}
}

// len returns how many keys are tracked.
func (t *throttle) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.keys)
}

// accountKey is the throttle key of a username.
func accountKey(username string) string { return "user:" + truncate(username, MaxUsernameLen) }

// addressKey is the throttle key of a client address ("" when there is
// none): the IP without a port; an IPv6 address stands for its /64, the
// block one subscriber usually holds.
func addressKey(client string) string {
	if client == "" {
		return ""
	}
	host := client
	if h, _, err := net.SplitHostPort(client); err == nil {
		host = h
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return "addr:" + truncate(client, MaxEntryClient)
	}
	addr = addr.Unmap()
	if addr.Is6() {
		if p, err := addr.WithZone("").Prefix(64); err == nil {
			return "addr:" + p.String()
		}
	}
	return "addr:" + addr.String()
}
