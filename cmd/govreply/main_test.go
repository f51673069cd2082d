package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"govreply/internal/evaldata"
)

// repoRoot is the folder holding go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// evalDir is the evaluation data (package evaldata): tests that need it
// fail under CI=true when it is missing and are skipped elsewhere.
func evalDir(t testing.TB) string {
	t.Helper()
	return evaldata.Dir(t)
}

// runCLI runs the command line with env as its whole environment (so
// tests run side by side, whatever the process's environment holds) and
// returns exit code, stdout and stderr.
func runCLI(t testing.TB, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	return runCLIIn(t, env, nil, args...)
}

// runCLIIn is runCLI with stdin as standard input (nil: an empty one).
func runCLIIn(t testing.TB, env map[string]string, stdin io.Reader, args ...string) (int, string, string) {
	t.Helper()
	return runWith(t, invocation{getenv: mapEnv(env), stdin: stdin}, args...)
}

// runWith runs the command line as inv says, its streams captured.
func runWith(t testing.TB, inv invocation, args ...string) (int, string, string) {
	t.Helper()
	if inv.stdin == nil {
		inv.stdin = strings.NewReader("")
	}
	var out, errb bytes.Buffer
	inv.args, inv.stdout, inv.stderr = args, &out, &errb
	code := run(t.Context(), inv)
	return code, out.String(), errb.String()
}

// mapEnv is an environment of just env.
func mapEnv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// noEnv is an empty environment.
func noEnv(string) string { return "" }

// partsOpener builds nothing: every command gets the parts of a.
func partsOpener(a *app) opener {
	return func(context.Context, config, needs, *slog.Logger) (*app, error) { return a, nil }
}

// fakeCLI runs commands on fake parts.
type fakeCLI struct {
	t     testing.TB
	parts *app
}

// fakeParts returns a command line whose commands use the parts of a
// instead of building real ones.
func fakeParts(t testing.TB, a *app) fakeCLI { return fakeCLI{t, a} }

func (f fakeCLI) run(args ...string) (int, string, string) {
	f.t.Helper()
	return f.runIn(nil, args...)
}

func (f fakeCLI) runIn(stdin io.Reader, args ...string) (int, string, string) {
	f.t.Helper()
	return runWith(f.t, invocation{getenv: noEnv, stdin: stdin, open: partsOpener(f.parts)}, args...)
}

func TestSearchJSON(t *testing.T) {
	t.Parallel()
	corpus := filepath.Join(evalDir(t), "corpus")
	code, out, stderr := runCLI(t, nil, "search", "--json", "--corpus", corpus, "-k", "3", "网友在评论区骂人，我们能怼回去吗？")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Hits []struct {
			Doc, Title, Heading, Text string
			Score                     float64
		} `json:"hits"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(res.Hits) != 3 {
		t.Fatalf("want 3 hits, got %d", len(res.Hits))
	}
	if res.Hits[0].Doc != "angry-commenters" || res.Hits[0].Title == "" || res.Hits[0].Text == "" || res.Hits[0].Score <= 0 {
		t.Fatalf("first hit %+v", res.Hits[0])
	}
}

func TestSearchHuman(t *testing.T) {
	t.Parallel()
	code, out, stderr := runCLI(t, nil, "search", "回复里能不能写网友的手机号")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "得分") || !strings.Contains(out, "向量排名") {
		t.Fatalf("human output lacks the ranking columns:\n%s", out)
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"empty query", []string{"search", ""}, "不能为空"},
		{"long query", []string{"search", strings.Repeat("问", 10000)}, "过长"},
		{"missing corpus", []string{"search", "--corpus", filepath.Join(tmp, "nope"), "问题"}, "不存在"},
		{"empty corpus", []string{"search", "--corpus", tmp, "问题"}, "没有可导入的文件"},
		{"bad k", []string{"search", "-k", "0", "问题"}, "k 须在"},
		{"bad mode", []string{"eval", "retrieval", "--questions", filepath.Join(tmp, "q.jsonl")}, "无法打开问题文件"},
		{"unknown flag", []string{"search", "--nope", "x"}, "unknown flag"},
		{"no questions flag", []string{"eval", "retrieval"}, "--questions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, nil, tt.args...)
			if code != exitError {
				t.Fatalf("exit %d, want %d; stderr %s", code, exitError, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Fatalf("stderr %q lacks %q", stderr, tt.want)
			}
		})
	}
}

func TestIngestReportsFailures(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"good.md":       "---\nid: good\ntitle: 好文档\ncategory: rule\n---\n\n## 一节\n\n这里有正文内容。\n",
		"empty.md":      "",
		"binary.md":     "\x00\x01\x02\x03\xff\xfe binary",
		"broken.md":     "---\ntitle: [unclosed\n---\n正文\n",
		"notzip.docx":   "this is not a zip file",
		"sub/other.txt": "另一个文本文件的内容。",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr := runCLI(t, nil, "ingest", "--json", dir)
	if code != exitFindings {
		t.Fatalf("exit %d, want %d: %s %s", code, exitFindings, out, stderr)
	}
	var sum struct {
		Added, Failed int
		Failures      []struct{ Path, Reason string }
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("not JSON: %s", out)
	}
	if sum.Added != 2 || sum.Failed != 4 {
		t.Fatalf("added %d failed %d, want 2 and 4: %+v", sum.Added, sum.Failed, sum.Failures)
	}
	for _, f := range sum.Failures {
		if f.Reason == "" || !strings.HasPrefix(f.Path, dir) {
			t.Errorf("failure without path or reason: %+v", f)
		}
	}
}

func TestStartCPUProfile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "cpu.prof")
	stop := startCPUProfile(path)
	if code, _, _ := runCLI(t, nil, "review", "--help"); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	stop()
	info, err := os.Stat(path)
	if err != nil || info.Size() == 0 {
		t.Fatalf("profile %s not written: %v", path, err)
	}
	// An unwritable path profiles nothing and does not stop the command.
	startCPUProfile(filepath.Join(t.TempDir(), "missing", "cpu.prof"))()
	startCPUProfile("")()
}
