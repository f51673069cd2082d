// Package builtin holds the knowledge base that ships inside the binary:
// Markdown documents with front matter under docs/, embedded with go:embed.
package builtin

import (
	"embed"
	"io/fs"
)

// Collection is the collection the built-in documents are stored in.
const Collection = "builtin"

//go:embed docs
var docs embed.FS

// FS returns the built-in documents; paths are relative to the docs root
// (so a document's fallback id is its file name without extension).
func FS() fs.FS {
	sub, err := fs.Sub(docs, "docs")
	if err != nil { // cannot happen: "docs" is embedded above
		panic(err)
	}
	return sub
}
