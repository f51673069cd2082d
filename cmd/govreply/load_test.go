package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoad is the load test of docs/benchmarks.md, run on demand
// (GOVREPLY_LOAD=1; it takes about 30 s and both cores): on the embedded
// default, with authentication,
//
//   - POST /v1/review from 32 connections for 10 s: requests per second;
//   - a flood of 2,000-character chats from one user (16 connections)
//     while another user posts reviews at 50 per second: that user's p99.
//
// go test ./cmd/govreply -run TestLoad -count=1 -v   (with GOVREPLY_LOAD=1)
func TestLoad(t *testing.T) {
	if os.Getenv("GOVREPLY_LOAD") == "" {
		t.Skip("GOVREPLY_LOAD=1 runs the load test (docs/benchmarks.md)")
	}
	base := mustServe(t, offlineConfig())
	admin := apiClient(t, base)
	flooder, bystander := newUser(t, base, admin, "flooder", "editor"), newUser(t, base, admin, "bystander", "editor")
	transport := &http.Transport{MaxIdleConnsPerHost: 64}
	post := func(path, token string, body []byte) (int, time.Duration) {
		req, _ := http.NewRequest("POST", base+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		start := time.Now()
		resp, err := transport.RoundTrip(req)
		if err != nil {
			return 0, time.Since(start)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, time.Since(start)
	}
	review := []byte(`{"text":"您好，您反映的路灯问题我们已转交区城管局，维修班组明天上午到现场更换灯具，修好后在这里告诉您。","kind":"comment"}`)

	// 1. Throughput of review with a token.
	var n, bad atomic.Int64
	deadline := time.Now().Add(10 * time.Second)
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if s, _ := post("/v1/review", bystander, review); s == 200 {
					n.Add(1)
				} else {
					bad.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("POST /v1/review, 32 connections, 10 s: %.0f requests/s (%d other than 200)", float64(n.Load())/10, bad.Load())

	// 2. Another user's review latency under a flood of long chats.
	question := strings.Repeat("网友在评论里骂人还留了手机号，我们应该怎么回复才不激化矛盾？", 50)[:0]
	for len([]rune(question)) < 2000 {
		question += "网友在评论里骂人还留了手机号，我们应该怎么回复才不激化矛盾？"
	}
	chat, _ := json.Marshal(map[string]string{"message": string([]rune(question)[:2000])})
	stop := make(chan struct{})
	var codes sync.Map
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				s, _ := post("/v1/chat", flooder, chat)
				v, _ := codes.LoadOrStore(s, new(atomic.Int64))
				v.(*atomic.Int64).Add(1)
			}
		}()
	}
	time.Sleep(time.Second)
	var lat []time.Duration
	tick := time.NewTicker(20 * time.Millisecond)
	for range 500 {
		<-tick.C
		s, d := post("/v1/review", bystander, review)
		if s != 200 {
			t.Errorf("the bystander's review: %d", s)
		}
		lat = append(lat, d)
	}
	tick.Stop()
	close(stop)
	wg.Wait()
	slices.Sort(lat)
	p := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))] }
	var flood []string
	codes.Range(func(k, v any) bool {
		flood = append(flood, http.StatusText(k.(int))+": "+itoa(v.(*atomic.Int64).Load()))
		return true
	})
	t.Logf("under the flood (%s): the other user's review p50 %v, p99 %v, max %v", strings.Join(flood, ", "), p(0.5), p(0.99), lat[len(lat)-1])
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
