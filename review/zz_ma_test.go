package review

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestZZMA(t *testing.T) {
	ids := map[string]bool{}
	f, _ := os.Open("/tmp/ma.txt")
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		ids[strings.TrimSpace(sc.Text())] = true
	}
	var mc *missingCheck
	for _, r := range loadedRules(t) {
		if c, ok := r.(*missingCheck); ok && c.category == os.Getenv("ZZCAT") {
			mc = c
		}
	}
	cf, _ := os.Open("testdata/corpus/train.jsonl")
	sc = bufio.NewScanner(cf)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var c struct {
			ID, Text, Class string
			Expect          []string
		}
		json.Unmarshal(sc.Bytes(), &c)
		if !ids[c.ID] {
			continue
		}
		var hits []string
		for _, p := range mc.phrases {
			if strings.Contains(c.Text, p) {
				hits = append(hits, p)
			}
		}
		for _, re := range mc.patterns {
			if m := re.FindString(c.Text); m != "" {
				hits = append(hits, "/"+m+"/")
			}
		}
		exp := false
		for _, e := range c.Expect {
			exp = exp || e == os.Getenv("ZZCAT")
		}
		fmt.Println(c.ID, c.Class, "expect:", exp, hits, []rune(c.Text)[:min(70, len([]rune(c.Text)))])
	}
}
