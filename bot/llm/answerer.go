package llm

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tmc/langchaingo/llms"

	"govreply/bot"
	"govreply/bot/offline"
	"govreply/internal/errs"
	"govreply/knowledge"
	"govreply/prompts"
)

// Defaults of AnswererOptions.
const (
	DefaultHistoryTurns      = 3
	DefaultAnswerTemperature = 0.3
	maxHistoryAnswerRunes    = 300
	maxCitationMarkerRunes   = 16
)

// AnswererOptions configure NewAnswerer.
type AnswererOptions struct {
	// ModelOptions: MaxOutputTokens 0 means DefaultOutputTokens,
	// Temperature 0 means DefaultAnswerTemperature.
	ModelOptions
	// Offline lends its retrieval, relevance threshold and session store:
	// the Answerer answers from the same sources, and says the knowledge
	// base has nothing exactly when it would. nil: offline.NewAnswerer
	// with Retriever and Sessions below.
	Offline   *offline.Answerer
	Retriever *knowledge.Retriever
	Sessions  bot.SessionStore
	// History is how many recent turns the prompt carries; 0 means
	// DefaultHistoryTurns.
	History int
}

// Answerer answers questions with a language model, grounded in the
// passages the offline answerer retrieves: when none reaches the
// relevance threshold it answers as the offline answerer does (the
// knowledge base has nothing), without calling the model. Otherwise the
// prompt carries the chat system prompt, the fenced numbered passages, the
// recent turns of the conversation and the question within the token
// budget; the answer keeps only the citation markers [n] of passages the
// prompt carried (others are removed), and Sources are those passages, so
// [n] is Sources[n-1]. It implements Answerer and StreamAnswerer and is
// safe for concurrent use when Model is.
type Answerer struct {
	caller
	off     *offline.Answerer
	history int
}

var _ bot.StreamAnswerer = (*Answerer)(nil)

// NewAnswerer returns an Answerer.
func NewAnswerer(opts AnswererOptions) (*Answerer, error) {
	cl, err := newCaller("llm.NewAnswerer", opts.ModelOptions, DefaultOutputTokens, DefaultAnswerTemperature)
	if err != nil {
		return nil, err
	}
	off := opts.Offline
	if off == nil {
		if off, err = offline.NewAnswerer(offline.AnswererOptions{Retriever: opts.Retriever, Sessions: opts.Sessions}); err != nil {
			return nil, err
		}
	}
	a := &Answerer{caller: cl, off: off, history: opts.History}
	if a.history <= 0 {
		a.history = DefaultHistoryTurns
	}
	return a, nil
}

// Answer implements bot.Answerer.
func (a *Answerer) Answer(ctx context.Context, req bot.AnswerRequest) (bot.AnswerResponse, error) {
	return a.answer(ctx, req, nil)
}

// AnswerStream implements bot.StreamAnswerer: the model is asked to
// stream and its pieces are forwarded as they arrive (a citation marker is
// held back until it is complete, then kept or removed).
func (a *Answerer) AnswerStream(ctx context.Context, req bot.AnswerRequest, emit func(piece string) error) (bot.AnswerResponse, error) {
	if emit == nil {
		emit = func(string) error { return nil }
	}
	return a.answer(ctx, req, emit)
}

func (a *Answerer) answer(ctx context.Context, req bot.AnswerRequest, emit func(string) error) (bot.AnswerResponse, error) {
	req, err := req.Normalize()
	if err != nil {
		return bot.AnswerResponse{}, err
	}
	msg := req.Message
	id, history, err := a.off.Session(ctx, req.Session, req.Owner)
	if err != nil {
		return bot.AnswerResponse{}, err
	}
	query := bot.FollowUpQuery(msg, history)
	sources, err := a.off.Sources(ctx, query, req.Readable)
	if err != nil {
		return bot.AnswerResponse{}, err
	}
	var answer string
	if len(sources) == 0 {
		answer = offline.NothingFound(msg)
		if emit != nil {
			if err := emit(answer); err != nil {
				return bot.AnswerResponse{}, err
			}
		}
	} else {
		in := prompts.ChatInput{Question: msg, History: recentTurns(history, a.history), Passages: make([]prompts.Passage, len(sources))}
		for i, s := range sources {
			in.Passages[i] = prompts.Passage{N: s.N, Doc: s.Doc, Title: s.Title, Section: s.Section, Text: s.Text, Reference: s.Reference}
		}
		sys, user, kept, err := a.budget.fitChat(in)
		if err != nil {
			return bot.AnswerResponse{}, err
		}
		sources = sources[:kept]
		if answer, err = a.call(ctx, sys, user, len(sources), emit); err != nil {
			return bot.AnswerResponse{}, err
		}
	}
	if err := a.off.Store().Append(ctx, id, bot.Turn{Owner: req.Owner, Question: msg, Query: query, Answer: answer}); err != nil {
		return bot.AnswerResponse{}, errs.E("llm.Answer", "保存会话失败", err)
	}
	return bot.AnswerResponse{Session: id, Answer: answer, Sources: sources}, nil
}

// recentTurns returns the last n turns for the prompt, their answers
// without citation markers (their numbers were another turn's sources)
// and cut to maxHistoryAnswerRunes.
func recentTurns(history []bot.Turn, n int) []prompts.ChatTurn {
	history = history[max(0, len(history)-n):]
	out := make([]prompts.ChatTurn, len(history))
	for i, t := range history {
		ans := inlineRefRE.ReplaceAllString(t.Answer, "")
		if rs := []rune(ans); len(rs) > maxHistoryAnswerRunes {
			ans = string(rs[:maxHistoryAnswerRunes]) + "……"
		}
		out[i] = prompts.ChatTurn{Question: t.Question, Answer: ans}
	}
	return out
}

// call asks the model, bounded by the timeout and ended when ctx ends (the
// upstream HTTP request is cancelled with it), and returns the answer
// with only the citations 1..n. With emit, the model is asked to stream
// and its pieces go to emit as they arrive; a model that answers whole
// all the same (a fake in tests) has its answer emitted at once.
func (a *Answerer) call(ctx context.Context, sys, user string, n int, emit func(string) error) (string, error) {
	f := &citeFilter{max: n}
	var opts []llms.CallOption
	var (
		chunks  bool // the model streamed
		emitErr error
	)
	if emit != nil {
		opts = append(opts, llms.WithStreamingFunc(func(_ context.Context, chunk []byte) error {
			chunks = true
			if s := f.push(chunk, false); s != "" {
				if err := emit(s); err != nil {
					emitErr = err
					return err
				}
			}
			return nil
		}))
	}
	resp, err := a.complete(ctx, "问答", sys, user, opts...)
	switch {
	case emitErr != nil:
		return "", emitErr
	case err != nil:
		return "", err
	case len(resp.Choices) == 0:
		return "", emptyReply("请重试")
	}
	if !chunks {
		f.push([]byte(resp.Choices[0].Content), false)
	}
	tail := f.push(nil, true)
	if strings.TrimSpace(f.text.String()) == "" {
		return "", emptyReply("请重试")
	}
	switch {
	case emit == nil:
	case chunks && tail != "":
		if err := emit(tail); err != nil {
			return "", err
		}
	case !chunks:
		if err := emit(f.text.String()); err != nil {
			return "", err
		}
	}
	return f.text.String(), nil
}

// citeFilter rewrites a model's answer as it arrives: citation markers
// ([1], ［2］, [1,3]) become [n] markers of the numbers 1..max only (one
// citing nothing valid is removed), leading blanks are dropped and
// trailing ones held back until more text follows (dropped at the end).
// A piece that may begin a marker is held back until it is complete.
type citeFilter struct {
	max     int
	partial []byte // an incomplete UTF-8 sequence
	pending []rune // text not released yet
	started bool   // released text (or non-blank pending) has begun
	text    strings.Builder
}

// push adds chunk and returns the text now released; final releases all
// (trailing blanks dropped).
func (f *citeFilter) push(chunk []byte, final bool) string {
	b := append(f.partial, chunk...)
	cut := len(b)
	if !final {
		for cut > 0 && cut > len(b)-utf8.UTFMax && !utf8.Valid(b[:cut]) {
			cut--
		}
		if !utf8.Valid(b[:cut]) {
			cut = len(b)
		}
	}
	f.partial = slices.Clone(b[cut:])
	s := string(b[:cut])
	if !f.started {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		f.started = s != ""
	}
	f.pending = append(f.pending, []rune(s)...)
	var out strings.Builder
	rs := f.pending
	hold := len(rs)
	i := 0
scan:
	for i < len(rs) {
		r := rs[i]
		if r != '[' && r != '［' {
			out.WriteRune(r)
			i++
			continue
		}
		j := i + 1
		for j < len(rs) && j-i <= maxCitationMarkerRunes && isMarkerRune(rs[j]) {
			j++
		}
		switch {
		case j < len(rs) && (rs[j] == ']' || rs[j] == '］') && j > i+1:
			out.WriteString(f.rewrite(string(rs[i+1 : j])))
			i = j + 1
		case j == len(rs) && j-i <= maxCitationMarkerRunes && !final:
			hold = i // may still become a marker
			break scan
		default:
			out.WriteRune(r)
			i++
		}
	}
	if hold == len(rs) {
		f.pending = f.pending[:0]
	} else {
		f.pending = slices.Clone(rs[hold:])
	}
	released := out.String()
	if final {
		released = strings.TrimRightFunc(released, unicode.IsSpace)
	} else if len(f.pending) == 0 { // hold back trailing blanks
		trimmed := strings.TrimRightFunc(released, unicode.IsSpace)
		f.pending = []rune(released[len(trimmed):])
		released = trimmed
	} else if trimmed := strings.TrimRightFunc(released, unicode.IsSpace); trimmed != released {
		f.pending = append([]rune(released[len(trimmed):]), f.pending...)
		released = trimmed
	}
	f.text.WriteString(released)
	return released
}

// isMarkerRune reports whether r may occur inside a citation marker.
func isMarkerRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= '０' && r <= '９' || strings.ContainsRune(",，、 ", r)
}

// rewrite returns the markers of the valid numbers of a marker's inside.
func (f *citeFilter) rewrite(inner string) string {
	var b strings.Builder
	var seen []int
	for _, m := range numberRE.FindAllString(toASCIIDigits(inner), -1) {
		n, err := strconv.Atoi(m)
		if err != nil || n < 1 || n > f.max || slices.Contains(seen, n) {
			continue
		}
		seen = append(seen, n)
		fmt.Fprintf(&b, "[%d]", n)
	}
	return b.String()
}
