package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// freeAddr returns a loopback address nobody listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// mustServe runs serve with cfg on a free loopback port until the test
// ends and returns its base URL once it is ready.
func mustServe(t *testing.T, cfg config) string {
	t.Helper()
	cfg.Addr = freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, newApp, nil, slog.New(slog.DiscardHandler)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("shutdown: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not shut down")
		}
	})
	base := "http://" + cfg.Addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready: %v", err)
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned early: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// offlineConfig is the embedded default.
func offlineConfig() config {
	cfg := envConfig(noEnv)
	cfg.DatabaseURL, cfg.Embedder, cfg.EmbedDim, cfg.LLM = "", "local", 0, "offline"
	return cfg
}

// TestServeDefault starts the embedded default (memory store, built-in
// knowledge base), queries it, and shuts it down gracefully (mustServe
// checks the shutdown).
func TestServeDefault(t *testing.T) {
	t.Parallel()
	base := mustServe(t, offlineConfig())
	resp, err := http.Get(base + "/v1/search?k=3&q=" + url.QueryEscape("回复里能写网友的手机号吗"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"collection":"builtin"`) {
		t.Fatalf("search on the built-in knowledge base: %d %s", resp.StatusCode, body)
	}
}
