package chunk

import (
	"fmt"
	"os"
	"testing"
	"time"
)

func FuzzZZ(f *testing.F) {
	f.Add("# 标题\n正文。", uint16(3), int16(4))
	f.Fuzz(func(t *testing.T, body string, budget uint16, overlap int16) {
		b := MinBudget + int(budget)%400
		o := int(overlap) % (b / 2)
		c, _ := New(Options{Budget: b, Overlap: o})
		done := make(chan bool)
		go func() {
			select {
			case <-done:
			case <-time.After(2 * time.Second):
				os.WriteFile(fmt.Sprintf("/tmp/slow_%d_%d_%d.txt", len(body), b, o), []byte(body), 0o644)
			}
		}()
		c.split(body)
		close(done)
	})
}
