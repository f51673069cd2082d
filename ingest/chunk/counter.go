package chunk

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/pkoukk/tiktoken-go"
	tiktoken_loader "github.com/pkoukk/tiktoken-go-loader"
)

// DefaultEncoding is the tiktoken encoding used when none is configured.
const DefaultEncoding = "cl100k_base"

// encodings lists the encodings whose BPE files ship inside
// tiktoken-go-loader (p50k_edit reuses p50k_base's ranks). Anything else
// would need a download, which govreply never does.
var encodings = []string{"cl100k_base", "o200k_base", "p50k_base", "p50k_edit", "r50k_base"}

func init() {
	// tiktoken-go reads its BPE loader from an unguarded package variable.
	// Setting it during package initialisation (which is single-threaded)
	// cannot race with any GetEncoding call, and it guarantees the rank
	// files come from the embedded assets, never from the network.
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

// Counter counts tokens with one tiktoken encoding. It is safe for concurrent
// use; NewCounter returns the same *Counter for the same encoding, so the
// expensive BPE tables are built once per process.
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
func Encodings() []string { return append([]string(nil), encodings...) }

// NewCounter returns the process-wide Counter for encoding ("" means
// cl100k_base). An encoding the offline loader does not carry is an error.
func NewCounter(encoding string) (*Counter, error) {
	name := strings.ToLower(strings.TrimSpace(encoding))
	if name == "" {
		name = DefaultEncoding
	}
	known := false
	for _, e := range encodings {
		if e == name {
			known = true
			break
		}
	}
	if !known {
		return nil, fmt.Errorf("未知的分词编码 %q，可用的编码：%s", encoding, strings.Join(encodings, "、"))
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
			e.err = fmt.Errorf("加载分词编码 %s 失败：%w", name, err)
			return
		}
		e.c = &Counter{name: name, enc: enc}
		if name == "cl100k_base" {
			ranks, err := loader.LoadTiktokenBpe(cl100kFile)
			if err != nil {
				e.err = fmt.Errorf("加载分词编码 %s 失败：%w", name, err)
				return
			}
			e.c.fast = newFastBPE(ranks)
		}
	})
	return e.c, e.err
}

// Encoding returns the name of the counter's encoding.
func (c *Counter) Encoding() string { return c.name }

// Count returns the number of tokens in text. Special-token markers such as
// "<|endoftext|>" are counted as ordinary text.
func (c *Counter) Count(text string) int {
	if text == "" {
		return 0
	}
	if c.fast != nil && utf8.ValidString(text) {
		return c.fast.count(text)
	}
	return len(c.enc.EncodeOrdinary(text))
}

// tokenLens returns the byte length of each token of text.
func (c *Counter) tokenLens(text string) []int {
	toks := c.enc.EncodeOrdinary(text)
	lens := make([]int, len(toks))
	one := make([]int, 1)
	for i, t := range toks {
		one[0] = t
		lens[i] = len(c.enc.Decode(one))
	}
	return lens
}
