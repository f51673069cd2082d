package httpretry

import "testing"

func TestRetries(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ n, def, want int }{{0, 3, 3}, {-1, 3, 0}, {5, 3, 5}} {
		if got := Retries(tc.n, tc.def); got != tc.want {
			t.Errorf("Retries(%d, %d) = %d, want %d", tc.n, tc.def, got, tc.want)
		}
	}
}
