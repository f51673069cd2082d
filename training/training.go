// Package training trains new staff: drills on scenarios built from the
// knowledge base's cases and rules (a citizen's post, what is known, the
// elements a good reply needs), graded by rules that say which element
// is met and by which words; quizzes written from the knowledge base; a
// learning path with spaced repetition; and each trainee's progress.
//
// Everything a trainee reads is Simplified Chinese; every element and
// question rests on a section of the built-in knowledge base (Source),
// which a test checks resolves.
package training

// Source is the section of the built-in knowledge base an element, a
// question or a lesson rests on: a document id and the heading of one of
// its sections, as review findings and draft citations name them.
type Source struct {
	Doc     string `json:"doc" yaml:"doc"`
	Section string `json:"section" yaml:"section"`
}
