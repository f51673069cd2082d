package evaldata

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records Fatal and Skip instead of ending
// the test.
type recorder struct {
	testing.TB
	fatal, skipped string
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatal(args ...any)     { r.fatal = args[0].(string) }
func (r *recorder) Skip(args ...any)      { r.skipped = args[0].(string) }
func (r *recorder) Fatalf(string, ...any) {}

func TestMissingData(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GOVREPLY_EVAL_DIR", filepath.Join(dir, "nope"))
	for _, ci := range []string{"true", ""} {
		t.Setenv("CI", ci)
		r := &recorder{TB: t}
		Dir(r)
		switch {
		case ci == "true" && r.fatal == "":
			t.Error("missing data under CI=true did not fail")
		case ci == "" && (r.skipped == "" || r.fatal != ""):
			t.Errorf("missing data outside CI: fatal %q skipped %q, want a skip", r.fatal, r.skipped)
		}
	}
}

func TestPresentData(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "q.jsonl"), []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOVREPLY_EVAL_DIR", dir)
	t.Setenv("CI", "true")
	r := &recorder{TB: t}
	if got := Path(r, "q.jsonl"); got != filepath.Join(dir, "q.jsonl") || r.fatal != "" || r.skipped != "" {
		t.Errorf("Path = %q, fatal %q, skipped %q", got, r.fatal, r.skipped)
	}
	Path(r, "other.jsonl")
	if r.fatal == "" {
		t.Error("a missing file under CI=true did not fail")
	}
}

func TestDefaultLocation(t *testing.T) {
	t.Setenv("GOVREPLY_EVAL_DIR", "")
	got := location()
	if filepath.Base(got) != "eval" || filepath.Base(filepath.Dir(got)) != "shared" {
		t.Errorf("location %q, want …/shared/eval", got)
	}
	if _, err := os.Stat(filepath.Join(repoRoot(), "go.mod")); err != nil {
		t.Errorf("repoRoot %q holds no go.mod", repoRoot())
	}
	if filepath.Clean(filepath.Join(got, "..", "..")) != filepath.Dir(filepath.Clean(repoRoot())) {
		t.Errorf("location %q is not beside the repository %q", got, repoRoot())
	}
}
