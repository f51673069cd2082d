// Package prompts holds the assistant's prompt templates as files
// (Chinese system prompts for draft, chat, rewrite and critique, and the
// drafting, chat and rewrite requests) and renders them with langchaingo's prompt templates
// (Go text/template syntax).
//
// Everything that does not come from this package — the citizen's post,
// the department's facts, retrieved passages, earlier drafts — is data.
// It is rendered inside labelled fences (<网友帖子>, <已知事实>,
// <参考资料 …>, <原稿>, <上一稿>, <审核意见>) after Escape, so no text can close a
// fence early or open a new one, and the system prompts say that only the
// system prompt gives instructions.
package prompts

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"

	lp "github.com/tmc/langchaingo/prompts"
)

//go:embed *.txt
var files embed.FS

// FS returns the embedded template files.
func FS() fs.FS { return files }

// System prompt names.
const (
	NameDraft    = "draft"    // drafting replies (with DraftInput as the user message)
	NameChat     = "chat"     // Q&A on rules, tone and cases with numbered citations
	NameRewrite  = "rewrite"  // officialese to plain language
	NameCritique = "critique" // reviewing a draft
	NameCoach    = "coach"    // explaining a trainee's graded reply in prose
)

// System returns the system prompt called name (NameDraft …).
func System(name string) (string, error) {
	switch name {
	case NameDraft, NameChat, NameRewrite, NameCritique, NameCoach:
	default:
		return "", fmt.Errorf("prompts: unknown system prompt %q", name)
	}
	return render(name+".txt", map[string]any{})
}

// Passage is one retrieved piece of reference material. N is its number
// in the prompt (1 = ranked highest); the model cites passages by it.
type Passage struct {
	N       int
	Doc     string // document id
	Title   string
	Section string // heading path
	Text    string
	// Reference is how an official document is cited (文号, 发文机关,
	// dates); "" for other documents.
	Reference string
}

// DraftInput is what the drafting request says.
type DraftInput struct {
	Variants int    // how many drafts to write (ignored when Previous is set)
	Class    string // the post's classification (投诉 …)
	Kind     string // comment | reply | post
	Limit    int    // length limit, Weibo-counted characters
	Tone     string // 亲切 | 正式 | 简洁
	Post     string
	Facts    string
	Passages []Passage // best first, numbered from 1
	// Reading is what the drafter read in the post (类别, 事项, 地点 …)
	// and Roles the department's facts decomposed into roles (原因,
	// 已经做的 …), as name–value lines; the model writes from them and
	// checks its drafts against them.
	Reading []Field
	Roles   []Field
	// Previous and Findings ask for one revised draft: the draft that
	// failed review and what the reviewer said.
	Previous string
	Findings []string
}

// Field is one line of a fenced list: a name and its value.
type Field struct{ Name, Value string }

var kindNames = map[string]string{"comment": "评论回复", "reply": "回复", "post": "博文"}

var toneHints = map[string]string{
	"亲切": "像面对面说话一样温和、口语化，可以有“您”“我们”",
	"正式": "庄重规范，但不打官腔、不堆套话",
	"简洁": "开门见山，句子短，只说最要紧的",
}

// Draft renders the drafting prompt: the system prompt and the user
// message carrying the post, the facts and the fenced passages.
func Draft(in DraftInput) (system, user string, err error) {
	if system, err = System(NameDraft); err != nil {
		return "", "", err
	}
	kindName := kindNames[in.Kind]
	if kindName == "" {
		kindName = "回复"
	}
	ps := make([]Passage, len(in.Passages))
	for i, p := range in.Passages {
		ps[i] = Passage{N: p.N, Doc: EscapeAttr(p.Doc), Title: EscapeAttr(p.Title), Section: EscapeAttr(p.Section), Text: Escape(p.Text), Reference: EscapeAttr(p.Reference)}
	}
	findings := make([]string, len(in.Findings))
	for i, f := range in.Findings {
		findings[i] = Escape(strings.ReplaceAll(f, "\n", " "))
	}
	user, err = render("draft_input.txt", map[string]any{
		"Variants": in.Variants,
		"Class":    EscapeAttr(in.Class),
		"KindName": kindName,
		"Limit":    in.Limit,
		"Tone":     EscapeAttr(in.Tone),
		"ToneHint": toneHints[in.Tone],
		"Post":     Escape(in.Post),
		"Facts":    Escape(strings.TrimSpace(in.Facts)),
		"Reading":  escapeFields(in.Reading),
		"Roles":    escapeFields(in.Roles),
		"Passages": ps,
		"Previous": Escape(in.Previous),
		"Findings": findings,
	})
	return system, user, err
}

func escapeFields(fs []Field) []Field {
	out := make([]Field, len(fs))
	for i, f := range fs {
		out[i] = Field{EscapeAttr(f.Name), EscapeAttr(f.Value)}
	}
	return out
}

// Escape makes untrusted text safe inside a fence: the angle brackets
// that could close the fence or open another become their full-width
// forms, which read the same to a model and to people.
func Escape(s string) string {
	return strings.NewReplacer("<", "＜", ">", "＞").Replace(s)
}

// EscapeAttr is Escape for a fence's attribute value: it also replaces
// double quotes and line breaks.
func EscapeAttr(s string) string {
	return strings.NewReplacer("<", "＜", ">", "＞", `"`, "＂", "\r", " ", "\n", " ").Replace(s)
}

// render renders the named template file with langchaingo.
func render(name string, values map[string]any) (string, error) {
	out, err := lp.RenderTemplateFS(files, name, lp.TemplateFormatGoTemplate, values)
	if err != nil {
		return "", fmt.Errorf("prompts: %s: %w", name, err)
	}
	return strings.TrimSpace(out) + "\n", nil
}

// ChatTurn is an earlier question and its answer in a conversation.
type ChatTurn struct {
	Question string
	Answer   string
}

// ChatInput is what a Q&A request says.
type ChatInput struct {
	Question string
	History  []ChatTurn // earlier turns, oldest first
	Passages []Passage  // best first, numbered from 1
}

// Chat renders the Q&A prompt: the chat system prompt and the user
// message carrying the conversation so far, the fenced passages and the
// question, each fenced.
func Chat(in ChatInput) (system, user string, err error) {
	if system, err = System(NameChat); err != nil {
		return "", "", err
	}
	ps := make([]Passage, len(in.Passages))
	for i, p := range in.Passages {
		ps[i] = Passage{N: p.N, Doc: EscapeAttr(p.Doc), Title: EscapeAttr(p.Title), Section: EscapeAttr(p.Section), Text: Escape(p.Text), Reference: EscapeAttr(p.Reference)}
	}
	flat := strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")
	hist := make([]ChatTurn, len(in.History))
	for i, t := range in.History {
		hist[i] = ChatTurn{Question: Escape(flat.Replace(t.Question)), Answer: Escape(flat.Replace(t.Answer))}
	}
	user, err = render("chat_input.txt", map[string]any{
		"Question": Escape(strings.TrimSpace(in.Question)),
		"History":  hist,
		"Passages": ps,
	})
	return system, user, err
}

// RewriteInput is what a plain-language rewrite request says.
type RewriteInput struct {
	Kind  string // comment | reply | post
	Limit int    // length limit, Weibo-counted characters
	Draft string // the officialese draft to rewrite
	// Previous and Findings ask for a revised rewrite: the rewrite that
	// failed review and what the reviewer said.
	Previous string
	Findings []string
}

// Rewrite renders the rewrite prompt: the rewrite system prompt and the
// user message carrying the fenced draft (and, for a second attempt, the
// fenced failing rewrite and the reviewer's findings).
func Rewrite(in RewriteInput) (system, user string, err error) {
	if system, err = System(NameRewrite); err != nil {
		return "", "", err
	}
	kindName := kindNames[in.Kind]
	if kindName == "" {
		kindName = "回复"
	}
	findings := make([]string, len(in.Findings))
	for i, f := range in.Findings {
		findings[i] = Escape(strings.ReplaceAll(f, "\n", " "))
	}
	user, err = render("rewrite_input.txt", map[string]any{
		"KindName": kindName,
		"Limit":    in.Limit,
		"Draft":    Escape(in.Draft),
		"Previous": Escape(in.Previous),
		"Findings": findings,
	})
	return system, user, err
}

// CoachInput is what a trainee's graded reply says, for the model's
// explanation in prose (the score is the grader's, never the model's).
type CoachInput struct {
	Kind     string // comment | reply | post
	Limit    int
	Post     string
	Known    []string
	Reply    string
	Score    int
	Elements []string // "做到了：共情（“给您添麻烦了”）" or "没做到：时限（原因）"
	Findings []string
	Model    string // the model reply
}

// Coach renders the coaching prompt; every field that came from a person
// or a model is escaped, as data.
func Coach(in CoachInput) (system, user string, err error) {
	if system, err = System(NameCoach); err != nil {
		return "", "", err
	}
	kindName := kindNames[in.Kind]
	if kindName == "" {
		kindName = "回复"
	}
	esc := func(xs []string) []string {
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = Escape(strings.ReplaceAll(x, "\n", " "))
		}
		return out
	}
	user, err = render("coach_input.txt", map[string]any{
		"KindName": kindName, "Limit": in.Limit, "Post": Escape(in.Post), "Known": esc(in.Known),
		"Reply": Escape(in.Reply), "Score": in.Score, "Elements": esc(in.Elements), "Findings": esc(in.Findings),
		"Model": Escape(in.Model),
	})
	return system, user, err
}
