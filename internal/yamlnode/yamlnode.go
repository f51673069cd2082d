// Package yamlnode reads a YAML data file strictly, node by node: unknown
// and repeated keys, aliases, wrong shapes and empty required fields are
// errors that name the line and say what is wrong (in Chinese, for the
// people who maintain the files). The phrase lists (internal/phrases) and
// the reviewer's rule files (review) are read with it.
package yamlnode

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Reader reads the nodes of one file. Errorf builds the file's error from
// a line (0 when unknown) and a reason.
type Reader struct {
	Errorf func(line int, reason string) error
}

// Err is the error for node n (nil: no line).
func (r Reader) Err(n *yaml.Node, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return r.Errorf(line, fmt.Sprintf(format, args...))
}

// Mapping returns the key/value pairs of a mapping node, rejecting keys
// outside allowed and repeated keys. what names the node in messages.
func (r Reader) Mapping(n *yaml.Node, what string, allowed ...string) (map[string]*yaml.Node, error) {
	if n.Kind == yaml.AliasNode {
		return nil, r.Err(n, "%s不支持 YAML 别名（*）", what)
	}
	if n.Kind != yaml.MappingNode {
		return nil, r.Err(n, "%s应当是“键: 值”的形式", what)
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, r.Err(k, "%s的键应当是文字", what)
		}
		if !slices.Contains(allowed, k.Value) {
			return nil, r.Err(k, "%s中有未知的键“%s”（可用的键：%s）", what, k.Value, strings.Join(allowed, "、"))
		}
		if _, dup := out[k.Value]; dup {
			return nil, r.Err(k, "%s中的“%s”重复出现", what, k.Value)
		}
		out[k.Value] = v
	}
	return out, nil
}

// Text returns the string field key of mapping m (whose node is parent),
// trimmed; a missing, null or empty field is an error when required.
func (r Reader) Text(m map[string]*yaml.Node, parent *yaml.Node, what, key string, required bool) (string, error) {
	v, ok := m[key]
	if !ok || (v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
		if required {
			return "", r.Err(parent, "%s缺少 %s", what, key)
		}
		return "", nil
	}
	if v.Kind != yaml.ScalarNode {
		return "", r.Err(v, "%s的 %s 应当是一段文字，不能是列表或嵌套结构", what, key)
	}
	s := strings.TrimSpace(v.Value)
	if s == "" && required {
		return "", r.Err(v, "%s的 %s 是空的", what, key)
	}
	return s, nil
}

// Sequence returns the items of the required, non-empty sequence field key
// of mapping m (whose node is parent).
func (r Reader) Sequence(m map[string]*yaml.Node, parent *yaml.Node, what, key string) ([]*yaml.Node, error) {
	v, ok := m[key]
	if !ok {
		return nil, r.Err(parent, "%s缺少 %s", what, key)
	}
	if v.Kind != yaml.SequenceNode {
		return nil, r.Err(v, "%s的 %s 应当是列表（每项以“- ”开头，或写成 [a, b]）", what, key)
	}
	if len(v.Content) == 0 {
		return nil, r.Err(v, "%s的 %s 是空列表", what, key)
	}
	return v.Content, nil
}

// Files lists the .yaml and .yml files under the root of fsys, in path
// order; other files (a README) are not data.
func Files(fsys fs.FS) ([]string, error) {
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (path.Ext(p) == ".yaml" || path.Ext(p) == ".yml") {
			names = append(names, p)
		}
		return nil
	})
	sort.Strings(names)
	return names, err
}
