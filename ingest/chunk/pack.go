package chunk

import "strings"

// flush packs the units of the finished section into chunks and resets the
// section state. Every chunk is a contiguous run of units: the overlap
// (whole sentences from the tail of the previous chunk) followed by at least
// one new packing piece.
func (s *splitter) flush() {
	defer func() {
		s.units = s.units[:0]
		s.pieceEnd = s.pieceEnd[:0]
	}()
	n := len(s.units)
	if n == 0 {
		return
	}
	budget := s.c.budget
	s.prefix = s.prefix[:0]
	sum := 0
	for _, u := range s.units {
		s.prefix = append(s.prefix, sum)
		sum += u.tokens + u.gap
	}
	s.prefix = append(s.prefix, sum)

	prevStart, prevFresh := -1, -1
	for pos := 0; pos < n; {
		start := pos
		if prevStart >= 0 {
			start = s.overlapStart(max(prevFresh, prevStart+1), pos)
		}
		// The first piece always goes in; drop overlap until it fits.
		end := s.pieceEnd[pos]
		for start < pos && !s.fits(start, end) {
			start++
		}
		for end < n && s.fits(start, s.pieceEnd[end]) {
			end = s.pieceEnd[end]
		}
		// Count exactly; the estimate can be off by a token or two where
		// units meet, so give back overlap, then units, until it fits.
		for {
			text, fresh := s.text(start, pos, end)
			tokens := s.units[start].tokens
			if end-start > 1 {
				tokens = s.c.counter.Count(text)
			}
			if tokens <= budget || end-start == 1 {
				s.out = append(s.out, packed{heading: s.heading, text: text, tokens: tokens, fresh: fresh})
				break
			}
			// Give back at least the excess, by estimate: overlap first.
			s.retries++
			for excess := tokens - budget; excess > 0 && end-start > 1; {
				if start < pos {
					excess -= s.units[start].tokens + s.units[start+1].gap
					start++
				} else {
					end--
					excess -= s.units[end].tokens + s.units[end].gap
				}
			}
		}
		prevStart, prevFresh = start, pos
		pos = end
	}
}

// fits reports whether units [a, b) fit one chunk, by estimate.
func (s *splitter) fits(a, b int) bool {
	return s.estimate(a, b) <= s.c.budget && s.units[b-1].end-s.units[a].start <= s.maxChunkBytes()
}

// estimate is the estimated token count of units [a, b).
func (s *splitter) estimate(a, b int) int {
	return s.prefix[b] - s.prefix[a] - s.units[a].gap
}

// overlapStart returns where the next chunk starts so that it repeats the
// whole sentences just before end whose tokens sum to at most the overlap,
// never reaching before floor.
func (s *splitter) overlapStart(floor, end int) int {
	start, sum := end, 0
	for k := end - 1; k >= floor; k-- {
		u := s.units[k]
		if !u.whole || sum+u.tokens > s.c.overlap {
			break
		}
		sum += u.tokens
		start = k
	}
	return start
}

// text builds the chunk text of units [a, b): runs of units from one
// paragraph are copied from the body as they stand, paragraphs are joined
// with "\n". fresh is the byte offset where unit pos starts in it.
func (s *splitter) text(a, pos, b int) (text string, fresh int) {
	u, v := s.units[a], s.units[b-1]
	if u.para == v.para {
		return s.body[u.start:v.end], s.units[pos].start - u.start
	}
	var sb strings.Builder
	sb.Grow(v.end - u.start)
	runStart := a
	for k := a; k < b; k++ {
		if k+1 < b && s.units[k+1].para == s.units[k].para {
			continue
		}
		if runStart > a {
			sb.WriteByte('\n')
		}
		if runStart <= pos && pos <= k {
			fresh = sb.Len() + s.units[pos].start - s.units[runStart].start
		}
		sb.WriteString(s.body[s.units[runStart].start:s.units[k].end])
		runStart = k + 1
	}
	return sb.String(), fresh
}
