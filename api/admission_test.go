package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"govreply/api"
	"govreply/bot"
	"govreply/review"
)

// blockingAnswerer holds each request until release is closed or its
// context ends.
type blockingAnswerer struct {
	started chan struct{}
	release chan struct{}
}

func (b *blockingAnswerer) Answer(ctx context.Context, req bot.AnswerRequest) (bot.AnswerResponse, error) {
	if _, err := req.Normalize(); err != nil {
		return bot.AnswerResponse{}, err
	}
	b.started <- struct{}{}
	select {
	case <-b.release:
		return bot.AnswerResponse{Session: "s", Answer: "好", Sources: []bot.Source{}}, nil
	case <-ctx.Done():
		return bot.AnswerResponse{}, ctx.Err()
	}
}

func chat(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/v1/chat", strings.NewReader(`{"message":"网友骂人怎么回复？"}`))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error struct{ Code, Message string }
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp, body.Error.Code
}

func reviewOK(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Post(url+"/v1/review", "application/json", strings.NewReader(`{"text":"您好，路灯已修好。"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestAdmissionRate: a client over its rate for expensive requests gets
// 429 with Retry-After, and only for those; a forged X-Forwarded-For does
// not make it another client.
func TestAdmissionRate(t *testing.T) {
	t.Parallel()
	rv, err := review.New(review.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fa := &fakeAnswerer{res: answerResponse()}
	srv := httptest.NewServer(api.New(api.Config{Answerer: fa, Reviewer: rv,
		Admission: api.Admission{AddrRate: 0.01, AddrBurst: 2}}).Handler())
	t.Cleanup(srv.Close)
	for i := range 2 {
		if resp, _ := chat(t, srv.URL, "X-Forwarded-For", fmt.Sprintf("10.0.0.%d", i)); resp.StatusCode != 200 {
			t.Fatalf("request %d within the burst: %d", i+1, resp.StatusCode)
		}
	}
	resp, code := chat(t, srv.URL, "X-Forwarded-For", "10.9.9.9")
	if resp.StatusCode != 429 || code != "rate_limited" || resp.Header.Get("Retry-After") == "" {
		t.Errorf("over the rate: %d %s Retry-After %q", resp.StatusCode, code, resp.Header.Get("Retry-After"))
	}
	for range 20 {
		if s := reviewOK(t, srv.URL); s != 200 {
			t.Fatalf("review is not an expensive request, yet %d", s)
		}
	}
}

// TestAdmissionConcurrency: with every slot busy, an expensive request is
// answered 503 within the wait, not queued; cheap requests go on.
func TestAdmissionConcurrency(t *testing.T) {
	t.Parallel()
	rv, err := review.New(review.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := &blockingAnswerer{started: make(chan struct{}, 4), release: make(chan struct{})}
	srv := httptest.NewServer(api.New(api.Config{Answerer: b, Reviewer: rv,
		Admission: api.Admission{Concurrent: 2, Wait: 50 * time.Millisecond}}).Handler())
	t.Cleanup(srv.Close)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chat(t, srv.URL)
		}()
	}
	<-b.started
	<-b.started
	start := time.Now()
	resp, code := chat(t, srv.URL)
	if took := time.Since(start); resp.StatusCode != 503 || code != "overloaded" || resp.Header.Get("Retry-After") != "1" || took > 2*time.Second {
		t.Errorf("a third request with both slots busy: %d %s after %v", resp.StatusCode, code, took)
	}
	if s := reviewOK(t, srv.URL); s != 200 {
		t.Errorf("review while the slots are busy: %d", s)
	}
	close(b.release)
	wg.Wait()
	go func() { <-b.started }()
	if resp, _ := chat(t, srv.URL); resp.StatusCode != 200 {
		t.Errorf("after the slots are freed: %d", resp.StatusCode)
	}
}

// TestAdmissionDeadline: the server's deadline ends a request that takes
// too long with 504, whatever the client would wait.
func TestAdmissionDeadline(t *testing.T) {
	t.Parallel()
	b := &blockingAnswerer{started: make(chan struct{}, 1), release: make(chan struct{})}
	srv := httptest.NewServer(api.New(api.Config{Answerer: b, Admission: api.Admission{Slow: 100 * time.Millisecond}}).Handler())
	t.Cleanup(srv.Close)
	start := time.Now()
	resp, code := chat(t, srv.URL)
	if took := time.Since(start); resp.StatusCode != 504 || code != "request_timeout" || took > 2*time.Second {
		t.Errorf("%d %s after %v", resp.StatusCode, code, took)
	}
}
