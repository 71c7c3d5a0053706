package diff

import (
	"bytes"
	"sort"
)

// The line diff is written by hand: sergi/go-diff (go-git's) was measured
// 2-4x slower on a 10,000-line file with 2% edits (BenchmarkAddedLines*),
// and on 20,000 lines with every other line rewritten it runs into its 1 s
// wall-clock cut-off (BenchmarkAddedLinesScattered*: ~1 s against 13-40 ms), so
// its result would depend on machine load; we also need only the head lines
// gained, not a patch. It is a patience diff (unique common lines as anchors,
// recursively) with a bounded Myers diff for anchor-free regions; where Myers
// would exceed its bound the whole region is reported as added, which errs on
// the side of scanning more.

// maxMyersCost bounds the edit distance explored by the Myers fallback.
const maxMyersCost = 1024

// splitLines returns b's lines without the newline and without a trailing CR.
// A final line without newline is a line; a final newline does not start one.
func splitLines(b []byte) [][]byte {
	if len(b) == 0 {
		return nil
	}
	lines := make([][]byte, 0, bytes.Count(b, []byte{'\n'})+1)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		var line []byte
		if i < 0 {
			line, b = b, nil
		} else {
			line, b = b[:i], b[i+1:]
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		lines = append(lines, line)
	}
	return lines
}

// AddedLines returns the lines of head that are not matched to lines of base
// by a line diff, with their 1-based head line numbers. Lines are compared
// without their line ending, so a file converted to CRLF, or gaining a final
// newline, adds no lines: the content a reviewer must judge did not change.
func AddedLines(base, head []byte) []Line {
	headLines := splitLines(head)
	if len(headLines) == 0 {
		return nil
	}
	baseLines := splitLines(base)
	added := make([]bool, len(headLines))
	markAdded(baseLines, headLines, added)
	var out []Line
	for i, isAdded := range added {
		if isAdded {
			out = append(out, Line{Number: i + 1, Text: string(headLines[i])})
		}
	}
	return out
}

// allLines returns every line of content as added.
func allLines(content []byte) []Line {
	lines := splitLines(content)
	out := make([]Line, len(lines))
	for i, l := range lines {
		out[i] = Line{Number: i + 1, Text: string(l)}
	}
	return out
}

// markAdded sets added[j] for every line j of b not matched in a.
func markAdded(a, b [][]byte, added []bool) {
	// Trim the common prefix and suffix before interning: most edits are small.
	pre := 0
	for pre < len(a) && pre < len(b) && bytes.Equal(a[pre], b[pre]) {
		pre++
	}
	a, b, added = a[pre:], b[pre:], added[pre:]
	suf := 0
	for suf < len(a) && suf < len(b) && bytes.Equal(a[len(a)-1-suf], b[len(b)-1-suf]) {
		suf++
	}
	a, b, added = a[:len(a)-suf], b[:len(b)-suf], added[:len(b)-suf]
	if len(b) == 0 {
		return
	}
	if len(a) == 0 {
		for i := range added {
			added[i] = true
		}
		return
	}
	ids := make(map[string]int32, len(a)+len(b))
	intern := func(lines [][]byte) []int32 {
		out := make([]int32, len(lines))
		for i, l := range lines {
			id, ok := ids[string(l)]
			if !ok {
				id = int32(len(ids))
				ids[string(l)] = id
			}
			out[i] = id
		}
		return out
	}
	ai, bi := intern(a), intern(b)
	d := &differ{
		countA: make([]int32, len(ids)),
		countB: make([]int32, len(ids)),
		posA:   make([]int32, len(ids)),
	}
	d.diff(ai, bi, added)
}

// differ holds scratch space indexed by line id, reused across recursion.
type differ struct {
	countA, countB, posA []int32
}

// diff marks added lines of b against a (both interned).
func (d *differ) diff(a, b []int32, added []bool) {
	for {
		pre := 0
		for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
			pre++
		}
		a, b, added = a[pre:], b[pre:], added[pre:]
		suf := 0
		for suf < len(a) && suf < len(b) && a[len(a)-1-suf] == b[len(b)-1-suf] {
			suf++
		}
		a, b, added = a[:len(a)-suf], b[:len(b)-suf], added[:len(b)-suf]
		if len(b) == 0 {
			return
		}
		if len(a) == 0 {
			for i := range added {
				added[i] = true
			}
			return
		}
		anchors := d.anchors(a, b)
		if len(anchors) == 0 {
			myers(a, b, added)
			return
		}
		// Recurse into the gaps before each anchor; loop on the tail.
		prevA, prevB := 0, 0
		for _, an := range anchors {
			d.diff(a[prevA:an.i], b[prevB:an.j], added[prevB:an.j])
			prevA, prevB = an.i+1, an.j+1
		}
		a, b, added = a[prevA:], b[prevB:], added[prevB:]
	}
}

type anchor struct{ i, j int }

// anchors returns the longest increasing run of lines unique in both a and b
// (patience diff).
func (d *differ) anchors(a, b []int32) []anchor {
	for _, id := range a {
		d.countA[id] = 0
		d.countB[id] = 0
	}
	for _, id := range b {
		d.countA[id] = 0
		d.countB[id] = 0
	}
	for i, id := range a {
		d.countA[id]++
		d.posA[id] = int32(i)
	}
	for _, id := range b {
		d.countB[id]++
	}
	var pairs []anchor
	for j, id := range b {
		if d.countA[id] == 1 && d.countB[id] == 1 {
			pairs = append(pairs, anchor{i: int(d.posA[id]), j: j})
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	// Longest increasing subsequence on i (pairs are in j order), by patience sorting.
	tails := make([]int, 0, len(pairs)) // index into pairs of the smallest tail of each length
	prev := make([]int, len(pairs))
	for k, p := range pairs {
		n := sort.Search(len(tails), func(t int) bool { return pairs[tails[t]].i >= p.i })
		if n > 0 {
			prev[k] = tails[n-1]
		} else {
			prev[k] = -1
		}
		if n == len(tails) {
			tails = append(tails, k)
		} else {
			tails[n] = k
		}
	}
	out := make([]anchor, len(tails))
	for k, n := tails[len(tails)-1], len(tails)-1; n >= 0; k, n = prev[k], n-1 {
		out[n] = pairs[k]
	}
	return out
}

// myers marks added lines of b with the greedy O((N+M)D) algorithm of Myers
// (1986), bounded by maxMyersCost; beyond the bound every line of b is marked.
func myers(a, b []int32, added []bool) {
	n, m := len(a), len(b)
	maxD := n + m
	if maxD > maxMyersCost {
		maxD = maxMyersCost
	}
	offset := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int
	for dist := 0; dist <= maxD; dist++ {
		snapshot := make([]int, 2*dist+1)
		for k := -dist; k <= dist; k += 2 {
			var x int
			if k == -dist || (k != dist && v[offset+k-1] < v[offset+k+1]) {
				x = v[offset+k+1] // down: insertion of b[y]
			} else {
				x = v[offset+k-1] + 1 // right: deletion of a[x]
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[offset+k] = x
			if x >= n && y >= m {
				for kk := -dist; kk <= dist; kk += 2 {
					snapshot[kk+dist] = v[offset+kk]
				}
				trace = append(trace, snapshot)
				backtrack(trace, n, m, added)
				return
			}
		}
		for k := -dist; k <= dist; k += 2 {
			snapshot[k+dist] = v[offset+k]
		}
		trace = append(trace, snapshot)
	}
	for i := range added {
		added[i] = true
	}
}

// backtrack walks the Myers trace from (n, m) back to (0, 0), marking the
// insertions.
func backtrack(trace [][]int, n, m int, added []bool) {
	x, y := n, m
	for dist := len(trace) - 1; dist > 0; dist-- {
		prevV := trace[dist-1] // indexed by k + (dist-1)
		k := x - y
		get := func(kk int) int { return prevV[kk+dist-1] }
		var prevK int
		if k == -dist || (k != dist && get(k-1) < get(k+1)) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := get(prevK)
		prevY := prevX - prevK
		// Walk back along the diagonal (matches).
		for x > prevX && y > prevY {
			x--
			y--
		}
		if prevK == k+1 {
			// Came down: b[prevY] inserted.
			added[prevY] = true
		}
		x, y = prevX, prevY
	}
}
