// Package endpoint reads the base URLs of model servers (OpenAI-compatible
// endpoints, Ollama) from configuration, for the embedders and the LLM
// client alike.
package endpoint

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// OllamaPort is the port Ollama listens on by default.
const OllamaPort = "11434"

// HTTP parses an http(s) base URL, dropping a trailing slash.
func HTTP(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(raw), "/"))
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("want an http(s) URL, got %q", raw)
	}
	return u, nil
}

// Ollama reads OLLAMA_HOST the way Ollama does: "host", "host:port" or a
// full URL; a missing scheme means http and a missing port (without
// scheme) means OllamaPort.
func Ollama(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw != "" && !strings.Contains(raw, "://") {
		host := raw
		if _, _, err := net.SplitHostPort(host); err != nil {
			host = net.JoinHostPort(strings.Trim(host, "[]"), OllamaPort)
		}
		raw = "http://" + host
	}
	return HTTP(raw)
}

// Redact renders u for messages, without user info.
func Redact(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}
