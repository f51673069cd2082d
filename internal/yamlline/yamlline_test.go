package yamlline_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"gopkg.in/yaml.v3"

	"govreply/internal/yamlline"
)

// TestOfYAMLErrors decodes broken files with yaml.v3 and checks that Of
// names the line a person has to fix, whether yaml.v3 counted it from 0
// (parser errors) or from 1 (scanner and decoding errors).
func TestOfYAMLErrors(t *testing.T) {
	t.Parallel()
	type file struct {
		Name  string   `yaml:"name"`
		Count int      `yaml:"count"`
		Words []string `yaml:"words"`
	}
	cases := []struct {
		name, yaml string
		line       int
	}{
		// Parser errors.
		{"unclosed flow sequence", "name: a\nwords: [x\n", 2},
		{"unclosed flow sequence over lines: where it opens", "name: a\nwords: [x,\n  y,\n  z\ncount: 1\n", 2},
		{"unclosed flow sequence on line 1: where it breaks", "words: [x,\n  y,\n  z\ncount: 1\n", 4},
		{"parser error on line 1: yaml.v3 names none", "count: ]\n", 0},
		{"unclosed flow mapping", "name: a\n\n\nwords: [x, {y: 1]\n", 4},
		{"missing key", "name: a\n- x\n", 2},
		{"missing dash", "words:\n  - x\n  y: 2\n", 2},
		{"missing node content", "name: a\nwords: [x, ,]\n", 2},
		{"stray bracket", "name: a\ncount: ]\n", 2},
		{"undefined tag handle", "name: a\ncount: !x!y 1\n", 2},
		{"duplicate YAML directive", "%YAML 1.1\n%YAML 1.1\n---\nname: a\n", 2},
		{"duplicate TAG directive", "%TAG !a! tag:x\n%TAG !a! tag:y\n---\nname: a\n", 2},
		// Scanner errors.
		{"tab indentation", "name: a\n\tcount: 2\n", 2},
		{"mapping in a scalar", "name: a\ncount: b: c\n", 2},
		{"bad indentation", "\n\nname: a\n  count: 2\n", 4},
		{"unclosed quote", "name: a\nwords: \"x\n", 2},
		{"reserved character", "name: a\n\n\nwords: @x\n", 4},
		{"unknown escape", "name: a\nname2: \"\\q\"\n", 2},
		// Decoding errors.
		{"unknown field", "name: a\ncount: 1\nnmae: b\n", 3},
		{"wrong type", "name: a\ncount: many\n", 2},
		{"repeated key", "name: a\ncount: 1\nname: b\n", 3},
		// No line.
		{"unknown anchor", "name: a\nwords: *x\n", 0},
		{"incompatible version", "%YAML 2.0\n---\nname: a\n", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var f file
			dec := yaml.NewDecoder(bytes.NewReader([]byte(c.yaml)))
			dec.KnownFields(true)
			err := dec.Decode(&f)
			if err == nil {
				t.Fatalf("%q decoded without an error", c.yaml)
			}
			if got := yamlline.Of(err); got != c.line {
				t.Errorf("Of(%v) = %d, want %d", err, got, c.line)
			}
		})
	}
}

func TestOfOtherErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
		line int
	}{
		{"no line", errors.New("unexpected end of file"), 0},
		{"line without a number", errors.New("line x: broken"), 0},
		{"number too large", errors.New("yaml: line 99999999999999999999: broken"), 0},
		{"scanner-style message", errors.New("yaml: line 7: found character that cannot start any token"), 7},
		{"parser-style message", errors.New("yaml: line 7: did not find expected key"), 8},
		{"first of several", errors.New("yaml: unmarshal errors:\n  line 3: field a not found\n  line 9: field b not found"), 3},
		{"wrapped", fmt.Errorf("rules/pii.yaml: %w", errors.New("yaml: line 4: did not find expected node content")), 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := yamlline.Of(c.err); got != c.line {
				t.Errorf("Of(%q) = %d, want %d", c.err, got, c.line)
			}
		})
	}
}
