// Package tokens counts tiktoken tokens, for the chunker (which cuts
// documents into chunks of a token budget) and for prompt budgeting (which
// fits prompts into a model's context window).
//
// It is govreply's only door to tiktoken-go: it installs the offline BPE
// loader (the rank files embedded in tiktoken-go-loader; nothing is ever
// downloaded), keeps one Counter per encoding for the whole process, and
// counts cl100k_base, the default, with a fast exact counter of its own
// (see fastBPE). Other packages must not call tiktoken-go directly.
package tokens

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/pkoukk/tiktoken-go"
	tiktoken_loader "github.com/pkoukk/tiktoken-go-loader"

	"govreply/internal/errs"
)

// DefaultEncoding is the encoding NewCounter uses for "".
const DefaultEncoding = "cl100k_base"

// encodings lists the encodings whose BPE files ship inside
// tiktoken-go-loader (p50k_edit reuses p50k_base's ranks). Anything else
// would need a download, which govreply never does.
var encodings = []string{"cl100k_base", "o200k_base", "p50k_base", "p50k_edit", "r50k_base"}

func init() {
	// tiktoken-go reads its BPE loader from an unguarded package variable,
	// so the loader is set here, once, and nowhere else. This cannot race
	// with a GetEncoding call: package initialisation runs in a single
	// goroutine, and this init runs before the code of any package that
	// imports this one, while no other package of govreply imports
	// tiktoken-go. Every encoding is therefore built from the embedded
	// rank files, never from the network.
	tiktoken.SetBpeLoader(loader)
}

// loader is the offline loader, remembering what it loaded so that the
// fast counter shares tiktoken-go's rank table instead of parsing the
// file again.
var loader = &sharedLoader{offline: tiktoken_loader.NewOfflineLoader(), ranks: map[string]map[string]int{}}

// cl100kFile is the name under which tiktoken-go asks the loader for
// cl100k_base's ranks (a key into the embedded files, never fetched).
const cl100kFile = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"

type sharedLoader struct {
	offline tiktoken.BpeLoader
	mu      sync.Mutex
	ranks   map[string]map[string]int
}

func (l *sharedLoader) LoadTiktokenBpe(file string) (map[string]int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r, ok := l.ranks[file]; ok {
		return r, nil
	}
	r, err := l.offline.LoadTiktokenBpe(file)
	if err == nil {
		l.ranks[file] = r
	}
	return r, err
}

// Counter counts tokens with one tiktoken encoding. It is safe for
// concurrent use; NewCounter returns the same *Counter for the same
// encoding, so the expensive BPE tables are built once per process.
type Counter struct {
	name string
	enc  *tiktoken.Tiktoken
	fast *fastBPE // cl100k_base only; nil for the other encodings
}

type counterEntry struct {
	once sync.Once
	c    *Counter
	err  error
}

var (
	countersMu sync.Mutex
	counters   = map[string]*counterEntry{}
)

// Encodings returns the names NewCounter accepts.
func Encodings() []string { return slices.Clone(encodings) }

// NewCounter returns the process-wide Counter for encoding, a name from
// Encodings in any case ("" means DefaultEncoding). An encoding the
// offline loader does not carry is an errs.Invalid error.
func NewCounter(encoding string) (*Counter, error) {
	const op = "tokens.NewCounter"
	name := strings.ToLower(strings.TrimSpace(encoding))
	if name == "" {
		name = DefaultEncoding
	}
	if !slices.Contains(encodings, name) {
		return nil, errs.E(op, errs.Invalid,
			fmt.Sprintf("未知的分词编码 %q，可用的编码：%s", encoding, strings.Join(encodings, "、")))
	}

	countersMu.Lock()
	e := counters[name]
	if e == nil {
		e = &counterEntry{}
		counters[name] = e
	}
	countersMu.Unlock()

	e.once.Do(func() {
		enc, err := tiktoken.GetEncoding(name)
		if err != nil {
			e.err = errs.E(op, errs.Internal, "加载分词编码 "+name+" 失败", err)
			return
		}
		c := &Counter{name: name, enc: enc}
		if name == "cl100k_base" {
			ranks, err := loader.LoadTiktokenBpe(cl100kFile)
			if err != nil {
				e.err = errs.E(op, errs.Internal, "加载分词编码 "+name+" 失败", err)
				return
			}
			c.fast = newFastBPE(ranks)
		}
		e.c = c
	})
	return e.c, e.err
}

// Encoding returns the name of the counter's encoding.
func (c *Counter) Encoding() string { return c.name }

// Count returns the number of tokens in text: always
// len(EncodeOrdinary(text)) of tiktoken-go's encoding, computed faster
// for cl100k_base. Special-token markers such as "<|endoftext|>" are
// counted as ordinary text.
func (c *Counter) Count(text string) int {
	if text == "" {
		return 0
	}
	if c.fast != nil && utf8.ValidString(text) {
		return c.fast.count(text)
	}
	return len(c.enc.EncodeOrdinary(text))
}

// TokenLens returns the byte length of each token of text, in order, so
// that a caller can cut text at token boundaries. For valid UTF-8 the
// lengths sum to len(text); a token may end inside a character.
func (c *Counter) TokenLens(text string) []int {
	toks := c.enc.EncodeOrdinary(text)
	lens := make([]int, len(toks))
	one := make([]int, 1)
	for i, t := range toks {
		one[0] = t
		lens[i] = len(c.enc.Decode(one))
	}
	return lens
}
