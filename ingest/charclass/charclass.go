// Package charclass names the classes of characters the loaders decide
// by: wide (CJK) characters, between which a line break is not a space,
// and stray control characters, which have no place in text.
package charclass

import "unicode"

// Wide reports whether r is a CJK character or full-width punctuation:
// text where a line break or a gap between two such characters is not a
// space.
func Wide(r rune) bool {
	return unicode.Is(unicode.Han, r) ||
		unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
		unicode.Is(unicode.Hangul, r) ||
		(r >= 0x3000 && r <= 0x303F) || // CJK symbols and punctuation
		(r >= 0xFF00 && r <= 0xFFEF) // full-width forms
}

// StrayControl reports whether r is a control character that has no place
// in text (tab, newline, carriage return, form feed and vertical tab are
// fine).
func StrayControl(r rune) bool {
	switch r {
	case '\t', '\n', '\r', '\f', '\v':
		return false
	}
	return r < 0x20 || (r >= 0x7f && r < 0xa0)
}
