package bot

import (
	"context"

	"govreply/review"
)

// RewriteRequest is a draft to put into plain language.
type RewriteRequest struct {
	Text string      `json:"text"`
	Kind review.Kind `json:"kind"` // comment | reply | post; default comment, as for review
}

// Normalize returns req with the default kind filled in, or the error of
// a draft the reviewer could not take (review.CheckDraft: the same codes
// and messages, since a rewrite is reviewed). Every Rewriter calls it.
func (req RewriteRequest) Normalize() (RewriteRequest, error) {
	kind, err := review.CheckDraft(req.Text, req.Kind)
	req.Kind = kind
	return req, err
}

// Change is one edit of a rewrite. Start and End are offsets in Unicode
// code points into the ORIGINAL text (End exclusive); Before is that span
// and After what replaced it ("" for a deletion).
type Change struct {
	Start  int    `json:"start"`
	End    int    `json:"end"`
	Before string `json:"before"`
	After  string `json:"after"`
	Rule   string `json:"rule"`   // the reviewer rule the change answers
	Reason string `json:"reason"` // why (Chinese)
}

// RewriteResponse is the rewritten draft, what changed and the review of
// the result: the response of POST /v1/rewrite and of `govreply rewrite
// --json`.
type RewriteResponse struct {
	Text    string        `json:"text"`
	Changes []Change      `json:"changes"` // in text order, never overlapping
	Review  review.Review `json:"review"`
	// Fallback, set only by a rewriter that fell back on another (a
	// model's rewrite that lost a fact), says in Chinese why.
	Fallback string `json:"fallback,omitempty"`
}

// NonNil returns res with [] rather than null changes and findings.
func (res RewriteResponse) NonNil() RewriteResponse {
	res.Changes = nonNil(res.Changes)
	res.Review.Findings = nonNil(res.Review.Findings)
	return res
}

// Rewriter puts an officialese draft into plain language, keeping its
// facts (numbers, names, dates, phone numbers), and reviews the result.
// Rewrite validates req with Normalize. Rewriters are safe for concurrent
// use.
type Rewriter interface {
	Rewrite(ctx context.Context, req RewriteRequest) (RewriteResponse, error)
}
