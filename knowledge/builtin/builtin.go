// Package builtin holds the knowledge base that ships inside the binary,
// embedded with go:embed:
//
//   - docs/: Markdown documents with front matter (rules, tone guidance,
//     case studies), ingested into the built-in collection;
//   - phrases/: phrase lists for the reviewer, one YAML file per source
//     document (the schema is described in package govreply/internal/phrases
//     and in phrases/README.md);
//   - scenarios/: one YAML training scenario per case document;
//   - answers/: curated answers (常见问题), one YAML file per document
//     (the schema is in package govreply/knowledge/faq and in
//     answers/README.md).
package builtin

import (
	"embed"
	"io/fs"
)

// Collection is the collection the built-in documents are stored in.
const Collection = "builtin"

//go:embed docs
var docs embed.FS

//go:embed phrases
var phrases embed.FS

//go:embed scenarios
var scenarios embed.FS

//go:embed answers/*.yaml
var answers embed.FS

// FS returns the built-in documents; paths are relative to the docs root
// (so a document's fallback id is its file name without extension).
func FS() fs.FS { return sub(docs, "docs") }

// PhrasesFS returns the built-in phrase lists (<doc-id>.yaml, plus a
// README.md describing the schema); paths are relative to the phrases root.
func PhrasesFS() fs.FS { return sub(phrases, "phrases") }

// ScenariosFS returns the built-in training scenarios (<case-doc-id>.yaml);
// paths are relative to the scenarios root.
func ScenariosFS() fs.FS { return sub(scenarios, "scenarios") }

// AnswersFS returns the built-in curated answers (<doc-id>.yaml); paths
// are relative to the answers root.
func AnswersFS() fs.FS { return sub(answers, "answers") }

func sub(fsys embed.FS, dir string) fs.FS {
	s, err := fs.Sub(fsys, dir)
	if err != nil { // cannot happen: dir is embedded above
		panic(err)
	}
	return s
}
