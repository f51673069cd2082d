package phrases_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"govreply/internal/errs"
	"govreply/internal/phrases"
)

const good = `# comment
doc: tone-x
lists:
  - rule: vague_time.words
    category: vague_time
    section: "## 对照"
    message: 没有期限
    entries:
      - phrase: 尽快
        suggestion: 写出日期
      - phrase: 近期
        suggestion: 写出日期
  - rule: stonewalling.no-comment
    category: stonewalling
    section: 对照
    severity: warning
    message: 拒绝沟通
    entries:
      - phrase: 无可奉告
        suggestion: 说能说的部分
`

func TestParseGood(t *testing.T) {
	t.Parallel()
	f, err := phrases.Parse("tone-x.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "tone-x.yaml" || f.Doc != "tone-x" || len(f.Lists) != 2 {
		t.Fatalf("file %+v", f)
	}
	l := f.Lists[0]
	if l.Rule != "vague_time.words" || l.Category != "vague_time" || l.Section != "对照" ||
		l.Severity != phrases.SeverityWarning || l.Message != "没有期限" || l.Line != 4 {
		t.Errorf("list %+v", l)
	}
	if len(l.Entries) != 2 || l.Entries[1] != (phrases.Entry{Phrase: "近期", Suggestion: "写出日期", Line: 11}) {
		t.Errorf("entries %+v", l.Entries)
	}
	if f.Lists[1].Severity != phrases.SeverityWarning {
		t.Errorf("explicit severity lost: %q", f.Lists[1].Severity)
	}
	if s, ok := phrases.DefaultSeverity("stonewalling"); !ok || s != phrases.SeverityError {
		t.Errorf("default severity of stonewalling %q %v", s, ok)
	}
}

// TestParseBad checks that each kind of bad file is rejected with the file
// name, the line and a reason.
func TestParseBad(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, text string
		line       int
		reason     string
	}{
		{"empty", "", 0, "文件是空的"},
		{"comment only", "# nothing\n", 0, "文件是空的"},
		{"not a mapping", "- a\n- b\n", 1, "“键: 值”"},
		{"bad yaml", "doc: [x\n", 2, "YAML 格式有误"},
		{"tab indent", "doc: x\nlists:\n\t- rule: a\n", 3, "YAML 格式有误"},
		{"not utf-8", "doc: \xff\n", 0, "UTF-8"},
		{"unknown top key", "doc: x\nlist: []\n", 2, "未知的键“list”"},
		{"missing doc", "lists: []\n", 1, "缺少 doc"},
		{"doc with space", "doc: a b\nlists: []\n", 1, "不能包含空白"},
		{"missing lists", "doc: x\n", 1, "缺少 lists"},
		{"empty lists", "doc: x\nlists: []\n", 2, "空列表"},
		{"lists not a list", "doc: x\nlists: abc\n", 2, "应当是列表"},
		{"duplicate key", "doc: x\ndoc: y\nlists: []\n", 2, "重复出现"},
		{"bad category", strings.Replace(good, "category: vague_time", "category: vague", 1), 5, "不是有效的审核类别"},
		{"missing category", strings.Replace(good, "    category: vague_time\n", "", 1), 4, "缺少 category"},
		{"rule of another category", strings.Replace(good, "rule: vague_time.words", "rule: officialese.words", 1), 4, "应当写成“vague_time."},
		{"rule not a slug", strings.Replace(good, "rule: vague_time.words", "rule: vague_time.Words!", 1), 4, "rule"},
		{"duplicate rule", strings.Replace(good, "rule: stonewalling.no-comment\n    category: stonewalling", "rule: vague_time.words\n    category: vague_time", 1), 13, "规则 id“vague_time.words”重复"},
		{"missing section", strings.Replace(good, "    section: \"## 对照\"\n", "", 1), 4, "缺少 section"},
		{"bad severity", strings.Replace(good, "severity: warning", "severity: fatal", 1), 16, "severity“fatal”无效"},
		{"empty message", strings.Replace(good, "message: 没有期限", "message: \"\"", 1), 7, "message 是空的"},
		{"no entries", strings.Replace(good, "    entries:\n      - phrase: 无可奉告\n        suggestion: 说能说的部分\n", "    entries: []\n", 1), 18, "entries 是空列表"},
		{"unknown entry key", strings.Replace(good, "suggestion: 说能说的部分", "replacement: 说能说的部分", 1), 20, "未知的键“replacement”"},
		{"missing suggestion", strings.Replace(good, "      - phrase: 近期\n        suggestion: 写出日期\n", "      - phrase: 近期\n", 1), 11, "缺少 suggestion"},
		{"missing phrase", strings.Replace(good, "      - phrase: 近期\n        suggestion: 写出日期\n", "      - suggestion: 写出日期\n", 1), 11, "缺少 phrase"},
		{"phrase too short", strings.Replace(good, "phrase: 近期", "phrase: 近", 1), 11, "太短"},
		{"phrase with spaces", strings.Replace(good, "phrase: 近期", "phrase: \" 近期\"", 1), 11, "首尾不能有空白"},
		{"phrase a list", strings.Replace(good, "phrase: 近期", "phrase: [近期]", 1), 11, "phrase 应当是一段文字"},
		{"duplicate phrase", strings.Replace(good, "phrase: 近期", "phrase: 尽快", 1), 11, "短语“尽快”在类别 vague_time 中重复"},
		{"entry a scalar", strings.Replace(good, "      - phrase: 近期\n        suggestion: 写出日期\n", "      - 近期\n", 1), 11, "“键: 值”"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := phrases.Parse("bad.yaml", []byte(tc.text))
			var pe *errs.FileError
			if !errors.As(err, &pe) {
				t.Fatalf("err %v (%T), want *errs.FileError", err, err)
			}
			if pe.File != "bad.yaml" || pe.Line != tc.line || !strings.Contains(pe.Reason, tc.reason) {
				t.Errorf("got %q (line %d), want line %d and a reason containing %q", err, pe.Line, tc.line, tc.reason)
			}
			if !strings.HasPrefix(err.Error(), "bad.yaml") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

// TestLoadAcrossFiles checks that Load reads only YAML files and finds rule
// ids and phrases repeated across files.
func TestLoadAcrossFiles(t *testing.T) {
	t.Parallel()
	other := strings.NewReplacer("doc: tone-x", "doc: tone-y", "rule: vague_time.words", "rule: vague_time.other",
		"rule: stonewalling.no-comment", "rule: stonewalling.other", "phrase: 尽快", "phrase: 即将",
		"phrase: 近期", "phrase: 适时", "phrase: 无可奉告", "phrase: 不归我们管").Replace(good)
	ok := fstest.MapFS{
		"tone-x.yaml": {Data: []byte(good)},
		"tone-y.yml":  {Data: []byte(other)},
		"README.md":   {Data: []byte("# not a list")},
	}
	files, err := phrases.Load(ok)
	if err != nil || len(files) != 2 || files[0].Name != "tone-x.yaml" || files[1].Name != "tone-y.yml" {
		t.Fatalf("Load: %v %v", files, err)
	}

	dupRule := strings.Replace(other, "rule: vague_time.other", "rule: vague_time.words", 1)
	dupPhrase := strings.Replace(other, "phrase: 即将", "phrase: 尽快", 1)
	broken := "doc: x\n"
	_, err = phrases.Load(fstest.MapFS{
		"a.yaml": {Data: []byte(good)},
		"b.yaml": {Data: []byte(dupRule)},
		"c.yaml": {Data: []byte(dupPhrase)},
		"d.yaml": {Data: []byte(broken)},
	})
	if err == nil {
		t.Fatal("Load accepted repeated rules and phrases")
	}
	for _, want := range []string{
		"b.yaml:4: 规则 id“vague_time.words”已在 a.yaml 第 4 行使用",
		"c.yaml:9: 短语“尽快”在类别 vague_time 中重复，已见于 a.yaml 第 9 行",
		"d.yaml:1: 文件顶层缺少 lists",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// FuzzParse: no panic on arbitrary input, and every error names the file.
func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("doc: x\nlists:\n  - *a\n"))
	f.Add([]byte("&a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := phrases.Parse("f.yaml", data)
		if err != nil && !strings.HasPrefix(err.Error(), "f.yaml") {
			t.Errorf("error %q does not name the file", err)
		}
	})
}
