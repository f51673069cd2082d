// Package yamlline finds the line a gopkg.in/yaml.v3 error points at, so
// that a bad data file can be reported by line.
package yamlline

import (
	"regexp"
	"strconv"
	"strings"
)

// lineRE finds the line number in a yaml.v3 error message.
var lineRE = regexp.MustCompile(`line (\d+)`)

// parserProblems are the yaml.v3 parser (not scanner) errors: for these
// yaml.v3 reports a 0-based line number, for scanner errors 1-based.
var parserProblems = []string{
	"did not find expected <document start>", "did not find expected node content",
	"did not find expected key", "did not find expected '-' indicator",
	"did not find expected ',' or ']'", "did not find expected ',' or '}'",
	"found undefined tag handle", "found duplicate %YAML directive",
	"found incompatible YAML document", "found duplicate %TAG directive",
}

// Of returns the 1-based line of the YAML text err points at, or 0 when it
// names none.
func Of(err error) int {
	msg := err.Error()
	m := lineRE.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	n, convErr := strconv.Atoi(m[1])
	if convErr != nil {
		return 0
	}
	for _, p := range parserProblems {
		if strings.HasSuffix(msg, p) {
			return n + 1
		}
	}
	return n
}
