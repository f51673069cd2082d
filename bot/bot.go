// Package bot is the assistant: it drafts replies to citizens' posts (and,
// later, answers questions and rewrites drafts) from the knowledge base,
// checks every draft with the reviewer and cites the guidance it used.
// The offline Composer needs no model server; LLMDrafter drafts with a
// language model through langchaingo and the prompts of package prompts.
package bot

import (
	"context"

	"govreply/review"
)

// Classification is what a citizen's post is.
type Classification string

// The classifications of DESIGN.md.
const (
	Complaint  Classification = "投诉"
	Inquiry    Classification = "咨询"
	Suggestion Classification = "建议"
	HelpCall   Classification = "求助"
	Rumour     Classification = "谣言"
	Praise     Classification = "表扬"
	Other      Classification = "其他"
)

// Tone is how a draft sounds.
type Tone string

// The tones of DESIGN.md.
const (
	Warm    Tone = "亲切"
	Formal  Tone = "正式"
	Concise Tone = "简洁"
)

// DraftRequest is a citizen's post and what the department knows.
type DraftRequest struct {
	Post  string      `json:"post"`  // the citizen's post, as written
	Facts string      `json:"facts"` // what the department knows: what happened, what is done, by when, contact (optional)
	Kind  review.Kind `json:"kind"`  // comment | reply | post; default reply
	Tone  Tone        `json:"tone"`  // 亲切 | 正式 | 简洁; default 亲切
}

// Citation is a piece of guidance a draft rests on.
type Citation struct {
	Doc     string `json:"doc"`
	Title   string `json:"title"`
	Section string `json:"section"`
}

// Variant is one draft with its review and citations.
type Variant struct {
	Text      string        `json:"text"`
	Review    review.Review `json:"review"`
	Citations []Citation    `json:"citations"`
}

// DraftResponse is the outcome of drafting, in the shape of DESIGN.md's
// POST /v1/drafts.
type DraftResponse struct {
	Classification Classification `json:"classification"`
	Drafts         []Variant      `json:"drafts"`
	ToVerify       []string       `json:"to_verify"` // what the drafter must fill in or verify
}

// Drafter drafts replies. Draft returns two or three variants, each
// reviewed; facts the drafter cannot know appear in the text as
// 【待核实：…】 and in ToVerify, never invented. An invalid request (empty
// or over-long post, unknown kind or tone) is an *InputError. Drafters are
// safe for concurrent use.
type Drafter interface {
	Draft(ctx context.Context, req DraftRequest) (DraftResponse, error)
}

// InputError is a request a Drafter cannot serve. Code is stable for
// machines; Message is for people (Chinese).
type InputError struct {
	Code    string
	Message string
}

func (e *InputError) Error() string { return e.Message }
