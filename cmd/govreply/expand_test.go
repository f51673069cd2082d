package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes name → content under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSearchThesaurus fails when query expansion stops working: each
// question shares no word and no character with the document it must
// find; only a pair of the thesaurus links them.
func TestSearchThesaurus(t *testing.T) {
	t.Parallel()
	corpus, etc := t.TempDir(), t.TempDir()
	writeFiles(t, corpus, map[string]string{
		"shualiang.md": "---\nid: shualiang\ntitle: 如实发布\ncategory: rule\n---\n\n## 要求\n\n严禁刷量。\n",
		"youmo.md":     "---\nid: youmo\ntitle: 风格\ncategory: tone\n---\n\n## 分寸\n\n幽默风格要有分寸。\n",
		"other.md":     "---\nid: other\ntitle: 值班\ncategory: rule\n---\n\n## 交接\n\n夜班交接时核对账号登录设备清单。\n",
	})
	custom := filepath.Join(etc, "custom.txt")
	writeFiles(t, etc, map[string]string{"custom.txt": "# 本局词表\n冲数据 刷量\n"})
	tests := []struct {
		name  string
		env   map[string]string
		args  []string
		query string
		want  string // first hit; "" for none
	}{
		{"colloquial to official", nil, []string{"--mode", "text"}, "能不能冲数据", "shualiang"},
		{"hybrid", nil, nil, "能不能冲数据", "shualiang"},
		{"another group", nil, []string{"--mode", "text"}, "很会搞笑行吗", "youmo"},
		{"flag off", nil, []string{"--mode", "text", "--thesaurus", "off"}, "能不能冲数据", ""},
		{"environment off", map[string]string{"GOVREPLY_THESAURUS": "off"}, []string{"--mode", "text"}, "很会搞笑行吗", ""},
		{"flag overrides environment", map[string]string{"GOVREPLY_THESAURUS": "off"}, []string{"--mode", "text", "--thesaurus", "builtin"}, "很会搞笑行吗", "youmo"},
		{"own file", nil, []string{"--mode", "text", "--thesaurus", custom}, "能不能冲数据", "shualiang"},
		{"own file replaces the built-in one", nil, []string{"--mode", "text", "--thesaurus", custom}, "很会搞笑行吗", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"search", "--json", "--corpus", corpus, "-k", "3"}, tt.args...)
			code, stdout, stderr := runCLI(t, tt.env, append(args, tt.query)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var res struct {
				Hits []struct{ Doc string } `json:"hits"`
			}
			if err := json.Unmarshal([]byte(stdout), &res); err != nil {
				t.Fatalf("not JSON: %s", stdout)
			}
			got := ""
			if len(res.Hits) > 0 {
				got = res.Hits[0].Doc
			}
			if got != tt.want {
				t.Errorf("first hit %q, want %q (hits %+v)", got, tt.want, res.Hits)
			}
		})
	}
}

func TestThesaurusFileErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"bad.txt":   "冲数据 刷量\n官微，政务微博\n",
		"dup.txt":   "冲数据 刷量\n# 注释\n刷量 刷数据\n",
		"empty.txt": "# 什么也没有\n",
	})
	tests := []struct {
		name, file, want string
	}{
		{"bad line", "bad.txt", "同义词表第 2 行"},
		{"term in two groups", "dup.txt", "同义词表第 3 行：“刷量”已在第 1 行出现"},
		{"no groups", "empty.txt", "没有任何词组"},
		{"missing", "nope.txt", "无法打开同义词表"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, map[string]string{"GOVREPLY_THESAURUS": filepath.Join(dir, tt.file)}, "search", "问题")
			if code != exitError || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d stderr %q, want %d and %q", code, stderr, exitError, tt.want)
			}
		})
	}
}

func TestSearchHumanShowsExpansion(t *testing.T) {
	t.Parallel()
	corpus := t.TempDir()
	writeFiles(t, corpus, map[string]string{"a.md": "---\nid: a\ntitle: 数据\n---\n\n严禁刷量。\n"})
	tests := []struct {
		name, thesaurus string
		show            bool
	}{
		{"on", "builtin", true},
		{"off", "off", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, nil, "search", "--corpus", corpus, "--thesaurus", tt.thesaurus, "能不能冲数据")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if got := strings.Contains(out, "同义扩展：") && strings.Contains(out, "刷量"); got != tt.show {
				t.Errorf("expansion shown %v, want %v:\n%s", got, tt.show, out)
			}
		})
	}
}
