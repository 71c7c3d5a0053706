package secrets

import (
	"fmt"
	"iter"
)

// keywordAutomaton finds every occurrence of a set of keywords in text, ASCII
// case-insensitively, overlapping ones included: an Aho-Corasick automaton
// compiled to a DFA over byte classes, the prefilter of the engine.
//
// Hand-written because petar-dambovaliev/aho-corasick's DFA build allocates
// per state and byte: 50–90 ms and 16 MB at every start-up for the 551
// built-in keywords, more than a whole lockfile's scan; this one builds in
// about a millisecond and reports the same hits in the same order
// (keywords_test.go checks it against that library).
type keywordAutomaton struct {
	// classOf maps a byte to its class: bytes that are equal after ASCII
	// lowercasing share a class; class 0 holds every byte no keyword has.
	classOf [256]uint8
	nclass  int32
	// trans[s+c] is the state after state s reads a byte of class c. States
	// are premultiplied by nclass; those below matchLimit have hits.
	trans      []int32
	start      int32
	matchLimit int32
	// hitsOf[s/nclass] lists the keywords that end at a match state s:
	// hitKeys[hitsOf[i]:hitsOf[i+1]], longest first.
	hitsOf  []int32
	hitKeys []int32
	keyLen  []int32
}

// asciiLower lowercases an ASCII letter and leaves every other byte alone.
func asciiLower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// newKeywordAutomaton compiles keywords (non-empty; keyword i is reported as
// i).
func newKeywordAutomaton(keywords []string) (*keywordAutomaton, error) {
	a := &keywordAutomaton{keyLen: make([]int32, len(keywords))}
	var lowerClass [256]uint8
	nclass, maxStates := 1, 1
	for i, k := range keywords {
		maxStates += len(k)
		if k == "" {
			return nil, fmt.Errorf("empty keyword")
		}
		a.keyLen[i] = int32(len(k))
		for j := 0; j < len(k); j++ {
			if b := asciiLower(k[j]); lowerClass[b] == 0 {
				lowerClass[b] = uint8(nclass)
				nclass++
			}
		}
	}
	for b := range 256 {
		a.classOf[b] = lowerClass[asciiLower(byte(b))]
	}
	n := nclass

	// The trie, in the table that becomes the DFA: -1 is no edge yet.
	trans := make([]int32, n, n*maxStates)
	for i := range trans {
		trans[i] = -1
	}
	own := make([][]int32, 1, maxStates) // keywords ending at each trie state
	for ki, k := range keywords {
		s := 0
		for j := 0; j < len(k); j++ {
			c := int(a.classOf[k[j]])
			next := trans[s*n+c]
			if next < 0 {
				next = int32(len(own))
				trans[s*n+c] = next
				own = append(own, nil)
				for range n {
					trans = append(trans, -1)
				}
			}
			s = int(next)
		}
		own[s] = append(own[s], int32(ki))
	}
	states := len(own)

	// Failure links breadth first; a state's hits are its own keywords, then
	// those of its failure state (the longest proper suffix in the trie), and
	// a missing edge is its failure state's edge.
	fail := make([]int32, states)
	hits := make([][]int32, states)
	queue := make([]int32, 0, states)
	for c := range n {
		if t := trans[c]; t < 0 {
			trans[c] = 0
		} else {
			queue = append(queue, t)
		}
	}
	for qi := 0; qi < len(queue); qi++ {
		s := queue[qi]
		f := fail[s]
		hits[s] = append(own[s], hits[f]...)
		for c := range int32(n) {
			t := trans[s*int32(n)+c]
			if t < 0 {
				trans[s*int32(n)+c] = trans[f*int32(n)+c]
				continue
			}
			fail[t] = trans[f*int32(n)+c]
			queue = append(queue, t)
		}
	}

	// Renumber: match states first, so that one comparison per byte tells
	// whether a hit ends there.
	renum := make([]int32, states)
	next := int32(0)
	for s := range states {
		if len(hits[s]) > 0 {
			renum[s] = next
			next++
		}
	}
	matches := next
	for s := range states {
		if len(hits[s]) == 0 {
			renum[s] = next
			next++
		}
	}
	a.nclass = int32(n)
	a.trans = make([]int32, len(trans))
	a.hitsOf = make([]int32, matches+1)
	old := make([]int32, matches) // renumbered match state -> trie state
	for s := range states {
		ns := renum[s]
		for c := range n {
			a.trans[int(ns)*n+c] = renum[trans[s*n+c]] * int32(n)
		}
		if ns < matches {
			old[ns] = int32(s)
		}
	}
	for i, s := range old {
		a.hitKeys = append(a.hitKeys, hits[s]...)
		a.hitsOf[i+1] = int32(len(a.hitKeys))
	}
	a.start = renum[0] * int32(n)
	a.matchLimit = matches * int32(n)
	return a, nil
}

// hits yields every keyword occurrence in data as (keyword, start offset),
// in the order of their ends, longer keywords first at the same end.
func (a *keywordAutomaton) hits(data []byte) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		trans, classOf, limit := a.trans, &a.classOf, a.matchLimit
		s := a.start
		for i, b := range data {
			s = trans[s+int32(classOf[b])]
			if s >= limit {
				continue
			}
			m := s / a.nclass
			for _, k := range a.hitKeys[a.hitsOf[m]:a.hitsOf[m+1]] {
				if !yield(int(k), i+1-int(a.keyLen[k])) {
					return
				}
			}
		}
	}
}
