// Package textcheck says whether a text can be taken as it is: valid
// UTF-8, and no NUL character (U+0000), which PostgreSQL refuses in text
// and which a request must therefore be refused for before anything is
// written.
package textcheck

import (
	"strings"
	"unicode/utf8"
)

// Problem is what is wrong with s, in Chinese and fit to follow the name
// of the field ("网友帖子" + Problem(s)), or "" when nothing is.
func Problem(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "不是有效的 UTF-8 文本"
	case strings.IndexByte(s, 0) >= 0:
		return "含有空字符（U+0000），请删除后重试"
	}
	return ""
}
