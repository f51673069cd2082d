// Package tesseracttest gives tests the OCR engine of the machine.
package tesseracttest

import (
	"os"
	"testing"

	"govreply/ingest/tesseract"
)

// MustFind returns the installed engine, reading one picture at a time. When tesseract, its Simplified
// Chinese model or pdfimages is missing it fails tb under CI=true (where
// scripts/setup-ocr.sh installs them, so a missing engine is a broken
// set-up) and skips tb elsewhere.
func MustFind(tb testing.TB) *tesseract.Engine {
	tb.Helper()
	e, err := tesseract.Find()
	if err == nil {
		e.Workers = 1 // tests run beside each other on few cores
		return e
	}
	msg := "文字识别不可用：" + err.Error() + "（运行 scripts/setup-ocr.sh 安装）"
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg + "；CI=true 时必须可用")
	}
	tb.Skip(msg)
	return nil
}
