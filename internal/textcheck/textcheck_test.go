package textcheck

import "testing"

func TestProblem(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
	}{
		{"路灯坏了", ""},
		{"", ""},
		{"路灯\x00坏了", "含有空字符（U+0000），请删除后重试"},
		{"\xff\xfe", "不是有效的 UTF-8 文本"},
		{"a\u2028b\u0001c", ""}, // other controls are stored fine
	} {
		if got := Problem(tt.in); got != tt.want {
			t.Errorf("Problem(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
