package pgtest

import (
	"net"
	"net/url"
	"sync"
	"testing"
	"time"
)

// Proxy forwards TCP connections to the test database and can make it
// fail the two ways a real one does: Stop (the server is down: new
// connections are refused and open ones reset) and Freeze (the server
// hangs, as a SIGSTOPped process or a cut network: connections are
// accepted, and nothing is ever answered on new or open ones). Start
// resumes forwarding on the same address; what a frozen connection had
// sent is delivered then, as a resumed process would read it.
type Proxy struct {
	tb     testing.TB
	addr   string
	target string

	mu     sync.Mutex
	ln     net.Listener // nil while stopped
	frozen bool
	thaw   chan struct{} // closed when a freeze ends
	conns  map[net.Conn]bool
	closed bool
}

// NewProxy returns a proxy to the test database (URL's host), forwarding.
func NewProxy(tb testing.TB) *Proxy {
	tb.Helper()
	p := newProxy(tb)
	p.Start()
	return p
}

// NewStoppedProxy returns a proxy whose address is reserved but not
// listened on until Start: a database that comes up late.
func NewStoppedProxy(tb testing.TB) *Proxy {
	tb.Helper()
	return newProxy(tb)
}

func newProxy(tb testing.TB) *Proxy {
	tb.Helper()
	u, err := url.Parse(URL())
	if err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{tb: tb, addr: ln.Addr().String(), target: u.Host, conns: map[net.Conn]bool{}, thaw: make(chan struct{})}
	ln.Close()
	tb.Cleanup(func() {
		p.Stop()
		p.mu.Lock()
		p.closed = true
		p.mu.Unlock()
	})
	return p
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.addr }

// URL returns the test database's connection string through the proxy.
func (p *Proxy) URL() string {
	u, err := url.Parse(URL())
	if err != nil {
		p.tb.Fatal(err)
	}
	u.Host = p.addr
	return u.String()
}

// Start listens (again) and forwards, ending a stop or a freeze.
func (p *Proxy) Start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.frozen {
		p.frozen = false
		close(p.thaw)
		p.thaw = make(chan struct{})
	}
	p.listen()
}

// listen opens the listener unless it is open; p.mu is held.
func (p *Proxy) listen() {
	if p.closed || p.ln != nil {
		return
	}
	var err error
	for range 50 { // the port may linger a moment after a stop
		if p.ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		p.tb.Errorf("pgtest: proxy cannot listen on %s again: %v", p.addr, err)
		return
	}
	go p.accept(p.ln)
}

// Stop closes the listener and every connection: new ones are refused.
func (p *Proxy) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
	if p.frozen {
		p.frozen = false
		close(p.thaw)
		p.thaw = make(chan struct{})
	}
}

// Freeze keeps accepting connections but forwards nothing either way
// until Start (or Stop).
func (p *Proxy) Freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frozen = true
	p.listen()
}

// gate waits while the proxy is frozen; it reports whether c may go on.
func (p *Proxy) gate(c net.Conn) bool {
	for {
		p.mu.Lock()
		frozen, thaw, live := p.frozen, p.thaw, p.conns[c]
		p.mu.Unlock()
		if !live {
			return false
		}
		if !frozen {
			return true
		}
		<-thaw
	}
}

func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		c.Close()
		return false
	}
	p.conns[c] = true
	return true
}

func (p *Proxy) forget(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}

func (p *Proxy) accept(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		if !p.track(c) {
			continue
		}
		go p.serve(c)
	}
}

// serve connects c to the database once the proxy is not frozen and
// copies both ways, each chunk waiting out a freeze.
func (p *Proxy) serve(c net.Conn) {
	if !p.gate(c) {
		p.forget(c)
		return
	}
	u, err := net.Dial("tcp", p.target)
	if err != nil || !p.track(u) {
		if u != nil {
			u.Close()
		}
		p.forget(c)
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		defer func() { done <- struct{}{} }()
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				if !p.gate(src) {
					return
				}
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
	go pipe(u, c)
	go pipe(c, u)
	<-done
	p.forget(c)
	p.forget(u)
	<-done
}
