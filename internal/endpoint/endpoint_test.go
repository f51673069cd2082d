package endpoint_test

import (
	"net/url"
	"testing"

	"govreply/internal/endpoint"
)

func TestHTTP(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, raw string
		want      string // "": an error
	}{
		{"base URL", "http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1"},
		{"trailing slash", "https://llm.gov.local/v1/", "https://llm.gov.local/v1"},
		{"several trailing slashes", "http://llm.gov.local//", "http://llm.gov.local"},
		{"blanks around", "  http://llm.gov.local:8080/v1 \n", "http://llm.gov.local:8080/v1"},
		{"host only", "http://llm", "http://llm"},
		{"IPv6", "http://[::1]:8000/", "http://[::1]:8000"},
		{"user info kept", "https://u:p@llm.gov.local/v1", "https://u:p@llm.gov.local/v1"},
		{"empty", "", ""},
		{"blank", "   ", ""},
		{"no scheme", "llm.gov.local:8000", ""},
		{"no scheme, no port", "llm.gov.local", ""},
		{"other scheme", "ftp://llm.gov.local", ""},
		{"unix socket", "unix:///run/llm.sock", ""},
		{"no host", "http://", ""},
		{"no host, path", "http:///v1", ""},
		{"malformed", "http://[::1", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			u, err := endpoint.HTTP(c.raw)
			switch {
			case c.want == "" && err == nil:
				t.Errorf("HTTP(%q) = %v, want an error", c.raw, u)
			case c.want != "" && err != nil:
				t.Errorf("HTTP(%q): %v", c.raw, err)
			case c.want != "" && u.String() != c.want:
				t.Errorf("HTTP(%q) = %v, want %s", c.raw, u, c.want)
			}
		})
	}
}

func TestOllama(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, raw string
		want      string // "": an error
	}{
		{"host", "localhost", "http://localhost:11434"},
		{"host and port", "ollama.gov.local:8080", "http://ollama.gov.local:8080"},
		{"IPv4", "10.0.0.5", "http://10.0.0.5:11434"},
		{"all interfaces", "0.0.0.0", "http://0.0.0.0:11434"},
		{"IPv6", "::1", "http://[::1]:11434"},
		{"IPv6 in brackets", "[::1]", "http://[::1]:11434"},
		{"IPv6 with port", "[::1]:9000", "http://[::1]:9000"},
		{"blanks around", " localhost:11434 ", "http://localhost:11434"},
		{"full URL", "https://ollama.gov.local", "https://ollama.gov.local"},
		{"full URL with port", "http://ollama.gov.local:11434/", "http://ollama.gov.local:11434"},
		{"empty", "", ""},
		{"other scheme", "ftp://ollama.gov.local", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			u, err := endpoint.Ollama(c.raw)
			switch {
			case c.want == "" && err == nil:
				t.Errorf("Ollama(%q) = %v, want an error", c.raw, u)
			case c.want != "" && err != nil:
				t.Errorf("Ollama(%q): %v", c.raw, err)
			case c.want != "" && u.String() != c.want:
				t.Errorf("Ollama(%q) = %v, want %s", c.raw, u, c.want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	cases := []struct {
		raw, want string
	}{
		{"https://user:secret@llm.gov.local/v1?model=x", "https://llm.gov.local/v1?model=x"},
		{"http://token@llm.gov.local:8000", "http://llm.gov.local:8000"},
		{"http://llm.gov.local/v1", "http://llm.gov.local/v1"},
	}
	for _, c := range cases {
		t.Run(c.raw, func(t *testing.T) {
			t.Parallel()
			u, err := url.Parse(c.raw)
			if err != nil {
				t.Fatal(err)
			}
			if got := endpoint.Redact(u); got != c.want {
				t.Errorf("Redact(%s) = %s, want %s", c.raw, got, c.want)
			}
			if u.String() != c.raw {
				t.Errorf("Redact changed its argument to %s", u)
			}
		})
	}
}
