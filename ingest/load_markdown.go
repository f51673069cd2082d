package ingest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"govreply/ingest/markdown"
	"govreply/internal/errs"
	"govreply/internal/yamlline"
	"govreply/knowledge"
)

// parsePlainText loads a .txt file: the normalised text is the body.
func parsePlainText(data []byte) (parsedDoc, error) {
	s, err := decodeTextFile(data)
	if err != nil {
		return parsedDoc{}, err
	}
	return parsedDoc{body: s, noHeadings: true}, nil
}

// parseMarkdown loads a Markdown file with optional YAML front matter.
func parseMarkdown(data []byte) (parsedDoc, error) {
	s, err := decodeTextFile(data)
	if err != nil {
		return parsedDoc{}, err
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	fm, body, hasFM, err := splitFrontMatter(s)
	if err != nil {
		return parsedDoc{}, err
	}
	doc := parsedDoc{}
	if hasFM {
		if doc, err = parseFrontMatter(fm); err != nil {
			return parsedDoc{}, err
		}
	}
	doc.body = markdown.SetextToATX(body)
	return doc, nil
}

// splitFrontMatter separates a leading "---" … "---" (or "...") block from
// the body. The first line of the file must be exactly "---".
func splitFrontMatter(s string) (fm, body string, ok bool, err error) {
	lines := strings.Split(s, "\n")
	if strings.TrimRight(lines[0], " \t") != "---" {
		return "", s, false, nil
	}
	for i := 1; i < len(lines); i++ {
		if t := strings.TrimRight(lines[i], " \t"); t == "---" || t == "..." {
			return strings.Join(lines[1:i], "\n"), strings.Join(lines[i+1:], "\n"), true, nil
		}
	}
	return "", "", false, errs.E(loadOp, errs.Invalid,
		"文件开头的 front matter（YAML 头信息）没有结束行“---”", nil)
}

// frontMatterLineOffset converts a YAML line number to a file line number:
// the YAML starts on line 2, after the opening "---".
const frontMatterLineOffset = 1

// parseFrontMatter reads the YAML between the "---" lines.
func parseFrontMatter(fm string) (doc parsedDoc, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errs.E(loadOp, errs.Invalid, "front matter（YAML 头信息）无法解析", fmt.Errorf("yaml panic: %v", r))
		}
	}()
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(fm), &root); err != nil {
		msg := "front matter（YAML 头信息）格式有误，请检查冒号、缩进和引号"
		if n := yamlline.Of(err); n > 0 {
			msg = fmt.Sprintf("第 %d 行：%s", n+frontMatterLineOffset, msg)
		}
		return parsedDoc{}, errs.E(loadOp, errs.Invalid, msg, err)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return parsedDoc{}, nil // empty front matter
	}
	m := root.Content[0]
	if m.Kind == yaml.ScalarNode && m.Tag == "!!null" {
		return parsedDoc{}, nil
	}
	if m.Kind != yaml.MappingNode {
		return parsedDoc{}, fmErr(m, "front matter（YAML 头信息）应当是“键: 值”的形式")
	}

	seen := map[string]bool{}
	var effective, effectiveDate string
	var effectiveNode *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		key := strings.TrimSpace(k.Value)
		lower := strings.ToLower(key)
		if k.Kind != yaml.ScalarNode || key == "" {
			return parsedDoc{}, fmErr(k, "front matter 的键应当是文字")
		}
		if seen[lower] {
			return parsedDoc{}, fmErr(k, fmt.Sprintf("front matter 中的“%s”重复出现", key))
		}
		seen[lower] = true

		switch lower {
		case "id", "title", "source", "category", "effective", "effective_date":
			s, err := fmScalar(lower, v)
			if err != nil {
				return parsedDoc{}, err
			}
			switch lower {
			case "id":
				if strings.ContainsAny(s, "\n\r\t") || len(s) > 256 {
					return parsedDoc{}, fmErr(v, "id 不能包含换行或制表符，且不能超过 256 个字节")
				}
				doc.id = s
			case "title":
				doc.title = s
			case "source":
				doc.source = s
			case "category":
				c := knowledge.Category(strings.ToLower(s))
				if s != "" && !c.Valid() {
					return parsedDoc{}, fmErr(v, fmt.Sprintf("category 的值“%s”无效，只能是 rule、tone、case 或 faq", s))
				}
				doc.category = c
			case "effective":
				effective, effectiveNode = s, v
			case "effective_date":
				effectiveDate = s
				if effectiveNode == nil {
					effectiveNode = v
				}
			}
		case "tags":
			tags, err := fmTags(v)
			if err != nil {
				return parsedDoc{}, err
			}
			doc.tags = tags
		default:
			val, err := fmMetaValue(v)
			if err != nil {
				return parsedDoc{}, err
			}
			if doc.metadata == nil {
				doc.metadata = map[string]string{}
			}
			doc.metadata[key] = val
		}
	}

	if effective != "" || effectiveDate != "" {
		e1, ok1 := parseEffective(effective)
		e2, ok2 := parseEffective(effectiveDate)
		switch {
		case effective != "" && !ok1:
			return parsedDoc{}, fmErr(effectiveNode, fmt.Sprintf("effective 的值“%s”不是有效日期，应写成 YYYY-MM-DD", effective))
		case effectiveDate != "" && !ok2:
			return parsedDoc{}, fmErr(effectiveNode, fmt.Sprintf("effective_date 的值“%s”不是有效日期，应写成 YYYY-MM-DD", effectiveDate))
		case ok1 && ok2 && e1 != e2:
			return parsedDoc{}, fmErr(effectiveNode, "effective 与 effective_date 的日期不一致，请只保留一个")
		case ok1:
			doc.effective = e1
		default:
			doc.effective = e2
		}
	}
	return doc, nil
}

// fmErr is an Invalid error pointing at the file line of node n.
func fmErr(n *yaml.Node, msg string) error {
	if n != nil && n.Line > 0 {
		msg = fmt.Sprintf("第 %d 行：%s", n.Line+frontMatterLineOffset, msg)
	}
	return errs.E(loadOp, errs.Invalid, msg, nil)
}

// fmScalar returns the trimmed text of a scalar field ("" for null).
func fmScalar(key string, v *yaml.Node) (string, error) {
	if v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	if v.Kind != yaml.ScalarNode {
		return "", fmErr(v, fmt.Sprintf("%s 应当是一段文字，不能是列表或嵌套结构", key))
	}
	if v.Tag == "!!null" {
		return "", nil
	}
	return strings.TrimSpace(v.Value), nil
}

// fmTags accepts a YAML list of scalars or one comma-separated string.
func fmTags(v *yaml.Node) ([]string, error) {
	if v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	var raw []string
	switch v.Kind {
	case yaml.ScalarNode:
		if v.Tag != "!!null" {
			raw = strings.FieldsFunc(v.Value, func(r rune) bool {
				return r == ',' || r == '，' || r == '、' || r == ';' || r == '；'
			})
		}
	case yaml.SequenceNode:
		for _, item := range v.Content {
			if item.Kind == yaml.AliasNode && item.Alias != nil {
				item = item.Alias
			}
			if item.Kind != yaml.ScalarNode {
				return nil, fmErr(item, "tags 的每一项应当是一段文字")
			}
			if item.Tag != "!!null" {
				raw = append(raw, item.Value)
			}
		}
	default:
		return nil, fmErr(v, "tags 应当是列表（如 [甲, 乙]）或用逗号分隔的文字")
	}
	return cleanTags(raw), nil
}

// cleanTags trims tags and drops empty and repeated ones, keeping order.
func cleanTags(raw []string) []string {
	var tags []string
	seen := map[string]bool{}
	for _, t := range raw {
		t = strings.Join(strings.Fields(t), " ")
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		tags = append(tags, t)
	}
	return tags
}

// fmMetaValue renders any front-matter value as a metadata string: scalars
// as they are, lists of scalars joined by ", ", anything else as JSON.
func fmMetaValue(v *yaml.Node) (string, error) {
	if v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	switch v.Kind {
	case yaml.ScalarNode:
		if v.Tag == "!!null" {
			return "", nil
		}
		return strings.TrimSpace(v.Value), nil
	case yaml.SequenceNode:
		parts := make([]string, 0, len(v.Content))
		simple := true
		for _, item := range v.Content {
			if item.Kind != yaml.ScalarNode {
				simple = false
				break
			}
			parts = append(parts, strings.TrimSpace(item.Value))
		}
		if simple {
			return strings.Join(parts, ", "), nil
		}
	}
	var x any
	if err := v.Decode(&x); err != nil {
		return "", fmErr(v, "front matter 中有无法解析的值")
	}
	b, err := json.Marshal(jsonSafe(x))
	if err != nil {
		return "", fmErr(v, "front matter 中有无法解析的值")
	}
	return string(b), nil
}

// jsonSafe converts the map[any]any values yaml may produce (non-string
// keys) into something encoding/json accepts.
func jsonSafe(x any) any {
	switch t := x.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, v := range t {
			out[k] = jsonSafe(v)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, v := range t {
			out[fmt.Sprint(k)] = jsonSafe(v)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, v := range t {
			out[i] = jsonSafe(v)
		}
		return out
	case time.Time:
		return t.Format(time.RFC3339)
	}
	return x
}

// effectiveLayouts are the date forms accepted for effective; the stored
// form is always YYYY-MM-DD.
var effectiveLayouts = []string{
	"2006-01-02", "2006-1-2", "2006/01/02", "2006/1/2", "2006.01.02", "2006.1.2",
	"2006年1月2日", "2006年01月02日",
	time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04",
}

// parseEffective parses a date in one of effectiveLayouts.
func parseEffective(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	for _, layout := range effectiveLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}
