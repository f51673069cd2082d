// Package evaldata finds the evaluation data that tests and benchmarks
// measure against: a knowledge base none of the built-in documents come
// from, labelled retrieval questions and labelled review drafts. It lives
// outside the repository, in ../shared/eval beside it (GOVREPLY_EVAL_DIR
// names another place).
//
// A test that needs it calls Dir or Path. When the data is missing, the
// test fails under CI=true (where it must be present, so a missing set can
// never pass silently) and is skipped with a message saying where the
// data was looked for everywhere else.
package evaldata

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir returns the evaluation data folder, or fails or skips tb when it is
// missing (see the package comment).
func Dir(tb testing.TB) string {
	tb.Helper()
	d := location()
	if _, err := os.Stat(d); err != nil {
		missing(tb, d)
	}
	return d
}

// Path returns the file or folder name inside the evaluation data, or
// fails or skips tb when it is missing.
func Path(tb testing.TB, name string) string {
	tb.Helper()
	p := filepath.Join(location(), name)
	if _, err := os.Stat(p); err != nil {
		missing(tb, p)
	}
	return p
}

// location is GOVREPLY_EVAL_DIR, else ../shared/eval beside the
// repository (found from this file's place in it, so that it does not
// depend on the test's working directory).
func location() string {
	if d := os.Getenv("GOVREPLY_EVAL_DIR"); d != "" {
		return d
	}
	return filepath.Join(repoRoot(), "..", "shared", "eval")
}

// repoRoot is the folder holding go.mod: this file is
// internal/evaldata/evaldata.go in it.
func repoRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "."
	}
	return filepath.Dir(filepath.Dir(filepath.Dir(file)))
}

// missing fails tb under CI=true and skips it elsewhere.
func missing(tb testing.TB, path string) {
	tb.Helper()
	msg := "评测数据不存在：" + path + "（设置 GOVREPLY_EVAL_DIR 指定评测数据目录）"
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg + "；CI=true 时评测数据必须存在")
	}
	tb.Skip(msg)
}
