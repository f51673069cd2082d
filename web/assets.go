package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"
)

// assets are the embedded static files, each with a hash of its content.
// Pages link them as /static/<name>?v=<hash>: a browser may keep such a
// URL forever, and a new build changes the URL of what changed.
type assets struct {
	files map[string]asset
}

type asset struct {
	body  []byte
	hash  string // first 12 hex digits of the SHA-256
	ctype string
}

func loadAssets(root fs.FS) (*assets, error) {
	static, err := fs.Sub(root, "static")
	if err != nil {
		return nil, err
	}
	as := &assets{files: map[string]asset{}}
	err = fs.WalkDir(static, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(static, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		as.files[name] = asset{body: body, hash: hex.EncodeToString(sum[:6]), ctype: contentType(name)}
		return nil
	})
	return as, err
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".md", "":
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// url is the versioned URL of an asset; a template naming an asset that
// does not exist fails to render rather than linking a 404.
func (as *assets) url(name string) (string, error) {
	a, ok := as.files[name]
	if !ok {
		return "", fs.ErrNotExist
	}
	return StaticPrefix + name + "?v=" + a.hash, nil
}

// serve answers one asset. A request carrying the current hash may be
// cached for a year; any other must be revalidated (ETag).
func (as *assets) serve(w http.ResponseWriter, r *http.Request, name string) {
	a, ok := as.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("ETag", `"`+a.hash+`"`)
	if r.URL.Query().Get("v") == a.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
}
