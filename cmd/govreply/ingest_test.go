package main

import (
	"strings"
	"testing"

	"govreply/ingest"
)

func TestBulkFlag(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want ingest.BulkMode
		ok   bool
	}{
		{"auto", ingest.BulkAuto, true},
		{"on", ingest.BulkOn, true},
		{"off", ingest.BulkOff, true},
		{"yes", 0, false},
		{"", 0, false},
	} {
		got, err := bulkMode(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("bulkMode(%q) = %v, %v; want %v, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
	code, _, stderr := runCLI(t, nil, "ingest", "--bulk", "yes", t.TempDir())
	if code != exitError || !strings.Contains(stderr, "--bulk") {
		t.Fatalf("exit %d, stderr %q; want a usage error about --bulk", code, stderr)
	}
}
