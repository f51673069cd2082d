package yamlnode_test

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"gopkg.in/yaml.v3"

	"govreply/internal/errs"
	"govreply/internal/yamlnode"
)

// reader makes *errs.FileError errors, as the data loaders do.
var reader = yamlnode.Reader{Errorf: func(line int, reason string) error {
	return &errs.FileError{File: "t.yaml", Line: line, Reason: reason}
}}

// root parses text and returns its top node (the document's content).
func root(t *testing.T, text string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		t.Fatalf("%q: not one document", text)
	}
	return doc.Content[0]
}

// checkErr checks that err is a *errs.FileError on line whose reason
// names each of words; no words means no error.
func checkErr(t *testing.T, err error, line int, words ...string) {
	t.Helper()
	if len(words) == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var fe *errs.FileError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v, want an *errs.FileError", err)
	}
	if fe.Line != line {
		t.Errorf("line %d, want %d (%s)", fe.Line, line, fe.Reason)
	}
	for _, w := range words {
		if !strings.Contains(fe.Reason, w) {
			t.Errorf("reason %q does not name %q", fe.Reason, w)
		}
	}
}

func TestErr(t *testing.T) {
	t.Parallel()
	n := root(t, "a: 1\nb: 2\n").Content[3] // the value 2, line 2
	cases := []struct {
		name string
		node *yaml.Node
		line int
	}{
		{"node", n, 2},
		{"nil node", nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkErr(t, reader.Err(c.node, "第 %d 项有误：%s", 3, "x"), c.line, "第 3 项有误：x")
		})
	}
}

func TestMapping(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, yaml string
		path       []string // keys to follow from the top node first
		line       int
		words      []string // nil: no error
		wantKeys   []string
	}{
		{"allowed keys", "rule: a\nmessage: b\n", nil, 0, nil, []string{"message", "rule"}},
		{"subset of the keys", "rule: a\n", nil, 0, nil, []string{"rule"}},
		{"empty mapping", "{}\n", nil, 0, nil, []string{}},
		{"unknown key", "rule: a\n\nmesage: b\n", nil, 3, []string{"规则", "mesage", "rule、message、severity"}, nil},
		{"repeated key", "rule: a\nmessage: b\nrule: c\n", nil, 3, []string{"规则", "rule", "重复"}, nil},
		{"sequence", "- rule: a\n", nil, 1, []string{"规则", "键: 值"}, nil},
		{"scalar", "rule\n", nil, 1, []string{"规则", "键: 值"}, nil},
		{"non-scalar key", "? [a, b]\n: c\n", nil, 1, []string{"规则", "键应当是文字"}, nil},
		{"alias", "base: &b {rule: a}\nuse: *b\n", []string{"use"}, 2, []string{"规则", "别名"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			n := root(t, c.yaml)
			for _, k := range c.path {
				m, err := reader.Mapping(n, "外层", "base", "use")
				if err != nil {
					t.Fatal(err)
				}
				n = m[k]
			}
			m, err := reader.Mapping(n, "规则", "rule", "message", "severity")
			checkErr(t, err, c.line, c.words...)
			if c.words != nil {
				return
			}
			var keys []string
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, c.wantKeys) {
				t.Errorf("keys %v, want %v", keys, c.wantKeys)
			}
			for _, k := range keys {
				if m[k].Kind != yaml.ScalarNode {
					t.Errorf("%s: value of kind %v", k, m[k].Kind)
				}
			}
		})
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, yaml string
		required   bool
		want       string
		line       int
		words      []string // nil: no error
	}{
		{"text", "message: 请核实\n", true, "请核实", 0, nil},
		{"trimmed", "message: \"  请核实 \"\n", true, "请核实", 0, nil},
		{"number as text", "message: 12345\n", true, "12345", 0, nil},
		{"block text", "message: |\n  第一行\n  第二行\n", true, "第一行\n第二行", 0, nil},
		{"missing, optional", "other: x\n", false, "", 0, nil},
		{"null, optional", "message: ~\n", false, "", 0, nil},
		{"empty, optional", "message: ''\n", false, "", 0, nil},
		{"missing, required", "other: x\n", true, "", 1, []string{"规则", "缺少 message"}},
		{"no value, required", "other: x\nmessage:\n", true, "", 1, []string{"规则", "缺少 message"}},
		{"null, required", "other: x\nmessage: null\n", true, "", 1, []string{"缺少 message"}},
		{"empty, required", "other: x\nmessage: ''\n", true, "", 2, []string{"规则", "message", "空的"}},
		{"blank, required", "other: x\nmessage: '   '\n", true, "", 2, []string{"空的"}},
		{"list", "other: x\nmessage: [a]\n", false, "", 2, []string{"message", "一段文字"}},
		{"mapping", "other: x\nmessage:\n  a: b\n", true, "", 3, []string{"message", "一段文字"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			n := root(t, c.yaml)
			m, err := reader.Mapping(n, "规则", "message", "other")
			if err != nil {
				t.Fatal(err)
			}
			got, err := reader.Text(m, n, "规则", "message", c.required)
			checkErr(t, err, c.line, c.words...)
			if got != c.want {
				t.Errorf("Text = %q, want %q", got, c.want)
			}
		})
	}
}

func TestSequence(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, yaml string
		want       []string
		line       int
		words      []string // nil: no error
	}{
		{"flow", "phrases: [感谢, 谢谢]\n", []string{"感谢", "谢谢"}, 0, nil},
		{"block", "phrases:\n  - 感谢\n  - {phrase: 谢谢}\n", []string{"感谢", ""}, 0, nil},
		{"missing", "other: x\n", nil, 1, []string{"规则", "缺少 phrases"}},
		{"empty", "other: x\nphrases: []\n", nil, 2, []string{"规则", "phrases", "空列表"}},
		{"scalar", "other: x\nphrases: 感谢\n", nil, 2, []string{"phrases", "列表"}},
		{"null", "other: x\nphrases:\n", nil, 2, []string{"phrases", "列表"}},
		{"mapping", "other: x\nphrases:\n  a: b\n", nil, 3, []string{"phrases", "列表"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			n := root(t, c.yaml)
			m, err := reader.Mapping(n, "规则", "phrases", "other")
			if err != nil {
				t.Fatal(err)
			}
			items, err := reader.Sequence(m, n, "规则", "phrases")
			checkErr(t, err, c.line, c.words...)
			var got []string
			for _, it := range items {
				got = append(got, it.Value)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("items %q, want %q", got, c.want)
			}
		})
	}
}

func TestFiles(t *testing.T) {
	t.Parallel()
	data := &fstest.MapFile{Data: []byte("a: 1\n")}
	cases := []struct {
		name string
		fsys fs.FS
		want []string
	}{
		{"data files sorted", fstest.MapFS{
			"z.yaml": data, "a.yml": data, "m.yaml": data, "README.md": data, "notes.txt": data,
			"dept/b.yaml": data, "dept/a.yaml": data, "dept/readme.md": data,
			"yaml": data, "old.yaml.bak": data, "x.YAML": data,
		}, []string{"a.yml", "dept/a.yaml", "dept/b.yaml", "m.yaml", "z.yaml"}},
		{"none", fstest.MapFS{"README.md": data}, nil},
		{"empty", fstest.MapFS{}, nil},
		{"directory named like a file", fstest.MapFS{"d.yaml/x.yml": data}, []string{"d.yaml/x.yml"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := yamlnode.Files(c.fsys)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("Files = %q, want %q", got, c.want)
			}
		})
	}
}

// TestFilesError: a file system that cannot be walked is an error.
func TestFilesError(t *testing.T) {
	t.Parallel()
	if _, err := yamlnode.Files(brokenFS{}); err == nil {
		t.Error("Files of a broken file system: no error")
	}
}

// brokenFS fails every Open.
type brokenFS struct{}

func (brokenFS) Open(string) (fs.File, error) { return nil, fs.ErrPermission }
