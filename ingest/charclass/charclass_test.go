package charclass

import "testing"

func TestWide(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		r    rune
		want bool
	}{
		{'政', true}, {'あ', true}, {'カ', true}, {'한', true}, {'，', true}, {'。', true}, {'（', true},
		{'Ａ', true}, {'a', false}, {'1', false}, {' ', false}, {'😀', false}, {'é', false},
	} {
		if got := Wide(tt.r); got != tt.want {
			t.Errorf("Wide(%q) = %v, want %v", tt.r, got, tt.want)
		}
	}
}

func TestStrayControl(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		r    rune
		want bool
	}{
		{'\t', false}, {'\n', false}, {'\r', false}, {'\f', false}, {'\v', false},
		{0, true}, {'\x07', true}, {'\x1b', true}, {0x7f, true}, {0x85, true}, {0x9f, true},
		{0xa0, false}, {'a', false}, {'政', false},
	} {
		if got := StrayControl(tt.r); got != tt.want {
			t.Errorf("StrayControl(%U) = %v, want %v", tt.r, got, tt.want)
		}
	}
}
