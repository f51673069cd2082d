package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"strings"
	"testing"
)

// TestServeUpload: serve wires the indexer, so a document uploaded to the
// default (in-memory) store can be read back, and builtin stays read-only.
func TestServeUpload(t *testing.T) {
	t.Parallel()
	base := mustServe(t, offlineConfig())
	client := apiClient(t, base)

	upload := func(collection string) (int, string) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.WriteField("collection", collection)
		fw, _ := w.CreateFormFile("file", "部门规定.md")
		_, _ = fw.Write([]byte("# 部门规定\n\n## 回复时限\n\n留言当天回复。\n"))
		_ = w.Close()
		resp, err := client.Post(base+"/v1/documents", w.FormDataContentType(), &buf)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tests := []struct {
		collection string
		status     int
		want       string
	}{
		{"dept", 200, `"status":"added"`},
		{"dept", 200, `"status":"unchanged"`},
		{"builtin", 403, `"code":"forbidden"`},
	}
	for _, tc := range tests {
		if status, body := upload(tc.collection); status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("upload into %s: %d %s, want %d with %s", tc.collection, status, body, tc.status, tc.want)
		}
	}
	resp, err := client.Get(base + "/v1/documents/部门规定")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Document struct{ Collection string } `json:"document"`
		Sections []struct{ Heading string }  `json:"sections"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 ||
		out.Document.Collection != "dept" || len(out.Sections) != 2 || out.Sections[1].Heading != "部门规定 > 回复时限" {
		t.Errorf("GET the uploaded document: %d %v %+v", resp.StatusCode, err, out)
	}
}
