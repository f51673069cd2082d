package segment

import (
	"os"
	"strconv"
)

// Knob is a temporary experiment parameter.
func Knob(name string, def float64) float64 {
	if v := os.Getenv("K_" + name); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err == nil {
			return f
		}
	}
	return def
}
