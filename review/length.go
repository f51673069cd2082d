package review

import "unicode"

// Length counts text as Weibo does: a CJK or full-width character (and
// any other non-ASCII character) counts 1, two ASCII characters count 1,
// and a half is rounded up.
func Length(text string) int {
	halves := 0
	for _, r := range text {
		if r < unicode.MaxASCII+1 {
			halves++
		} else {
			halves += 2
		}
	}
	return (halves + 1) / 2
}
