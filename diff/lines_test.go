package diff

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/sergi/go-diff/diffmatchpatch"
)

func TestAddedLines(t *testing.T) {
	for _, tc := range []struct {
		name       string
		base, head string
		want       []Line
	}{
		{"empty both", "", "", nil},
		{"new file", "", "a\nb\n", []Line{{1, "a"}, {2, "b"}}},
		{"deleted all", "a\nb\n", "", nil},
		{"same", "a\nb\n", "a\nb\n", nil},
		{"append", "a\nb\n", "a\nb\nc\n", []Line{{3, "c"}}},
		{"prepend", "a\nb\n", "z\na\nb\n", []Line{{1, "z"}}},
		{"middle", "a\nb\nc\n", "a\nb\nX\nc\n", []Line{{3, "X"}}},
		{"replace", "a\nb\nc\n", "a\nB\nc\n", []Line{{2, "B"}}},
		{"no final newline gained", "a\nb", "a\nb\n", nil},
		{"no final newline, line added", "a\nb", "a\nb\nc", []Line{{3, "c"}}},
		{"crlf stripped", "a\r\n", "a\r\nb\r\n", []Line{{2, "b"}}},
		{"crlf conversion", "a\nb\n", "a\r\nb\r\n", nil},
		{"blank lines", "a\n\nb\n", "a\n\n\nb\n", []Line{{3, ""}}},
		{"repeated braces", "f() {\n}\ng() {\n}\n", "f() {\n}\nh() {\n}\ng() {\n}\n", []Line{{3, "h() {"}, {4, "}"}}},
		{"moved block counts as added once", "1\n2\n3\n4\n", "3\n4\n1\n2\n", []Line{{1, "3"}, {2, "4"}}},
		{"duplicate line added", "x\n", "x\nx\n", []Line{{2, "x"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := AddedLines([]byte(tc.base), []byte(tc.head))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("AddedLines(%q, %q) = %+v, want %+v", tc.base, tc.head, got, tc.want)
			}
		})
	}
}

// checkAddedLines verifies the defining property: the head lines not reported
// as added form a subsequence of the base lines, and every reported number is
// in range with the right text.
func checkAddedLines(t *testing.T, base, head []byte, got []Line) {
	t.Helper()
	headLines := splitLines(head)
	baseLines := splitLines(base)
	added := make(map[int]bool)
	for _, l := range got {
		if l.Number < 1 || l.Number > len(headLines) || string(headLines[l.Number-1]) != l.Text {
			t.Fatalf("bad line %+v", l)
		}
		added[l.Number] = true
	}
	bi := 0
	for i, hl := range headLines {
		if added[i+1] {
			continue
		}
		for bi < len(baseLines) && !bytes.Equal(baseLines[bi], hl) {
			bi++
		}
		if bi == len(baseLines) {
			t.Fatalf("head line %d %q reported unchanged but not matched in base", i+1, hl)
		}
		bi++
	}
}

func TestAddedLinesRandomEdits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 300 {
		n := rng.IntN(200)
		var base []string
		for range n {
			base = append(base, fmt.Sprintf("l%d", rng.IntN(30))) // many repeats
		}
		head := append([]string(nil), base...)
		edits := rng.IntN(10)
		inserted := 0
		for range edits {
			pos := 0
			if len(head) > 0 {
				pos = rng.IntN(len(head) + 1)
			}
			switch rng.IntN(3) {
			case 0: // insert a line not present anywhere
				head = append(head[:pos], append([]string{fmt.Sprintf("new%d", iter*100+inserted)}, head[pos:]...)...)
				inserted++
			case 1: // delete
				if pos < len(head) {
					head = append(head[:pos], head[pos+1:]...)
				}
			case 2: // insert a repeated line
				head = append(head[:pos], append([]string{fmt.Sprintf("l%d", rng.IntN(30))}, head[pos:]...)...)
			}
		}
		b := []byte(strings.Join(base, "\n"))
		h := []byte(strings.Join(head, "\n"))
		got := AddedLines(b, h)
		checkAddedLines(t, b, h, got)
		// Every genuinely new line must be reported.
		newCount := 0
		for _, l := range got {
			if strings.HasPrefix(l.Text, "new") {
				newCount++
			}
		}
		for _, hl := range head {
			if strings.HasPrefix(hl, "new") {
				newCount--
			}
		}
		if newCount != 0 {
			t.Fatalf("iteration %d: new lines reported off by %d", iter, newCount)
		}
	}
}

func TestMyersBound(t *testing.T) {
	// Two unrelated files with only repeated lines: no anchors, edit distance
	// beyond the bound, so every head line is reported.
	base := []byte(strings.Repeat("a\nb\n", 2000))
	head := []byte(strings.Repeat("b\nc\nc\n", 2000))
	got := AddedLines(base, head)
	checkAddedLines(t, base, head, got)
	if len(got) < 4000 {
		t.Errorf("got %d added lines, want at least the 4000 c lines", len(got))
	}
}

func FuzzAddedLines(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), []byte("a\nX\nc\n"))
	f.Add([]byte("a\r\nb"), []byte("b\r\na\n"))
	f.Add([]byte(""), []byte("\n\n"))
	f.Fuzz(func(t *testing.T, base, head []byte) {
		checkAddedLines(t, base, head, AddedLines(base, head))
	})
}

// benchFilePair is a 10,000-line file and a copy with 1% of lines edited and
// 1% inserted.
func benchFilePair() (base, head []byte) {
	var b, h strings.Builder
	for i := range 10000 {
		line := fmt.Sprintf("\tvalue%d := compute(%d, \"constant string\")\n", i, i%97)
		b.WriteString(line)
		switch i % 100 {
		case 10:
			fmt.Fprintf(&h, "\tvalue%d := compute(%d, \"edited\")\n", i, i)
		case 50:
			h.WriteString(line)
			fmt.Fprintf(&h, "\tinserted%d()\n", i)
		default:
			h.WriteString(line)
		}
	}
	return []byte(b.String()), []byte(h.String())
}

func BenchmarkAddedLines(b *testing.B) {
	base, head := benchFilePair()
	b.SetBytes(int64(len(head)))
	for b.Loop() {
		if got := AddedLines(base, head); len(got) != 200 {
			b.Fatalf("%d added lines", len(got))
		}
	}
}

// BenchmarkAddedLinesSergi measures the same pair with sergi/go-diff (what
// go-git's own patches use), line mode, to justify the hand-written diff.
func BenchmarkAddedLinesSergi(b *testing.B) {
	base, head := benchFilePair()
	b.SetBytes(int64(len(head)))
	dmp := diffmatchpatch.New()
	for b.Loop() {
		a, bb, lines := dmp.DiffLinesToRunes(string(base), string(head))
		diffs := dmp.DiffMainRunes(a, bb, false)
		diffs = dmp.DiffCharsToLines(diffs, lines)
		added := 0
		for _, d := range diffs {
			if d.Type == diffmatchpatch.DiffInsert {
				added += strings.Count(d.Text, "\n")
			}
		}
		if added != 200 {
			b.Fatalf("%d added lines", added)
		}
	}
}

// benchScatteredPair is a 20,000-line file where every other line changed: a
// large edit distance, where plain Myers is quadratic.
func benchScatteredPair() (base, head []byte) {
	var b, h strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "line %d of the base\n", i)
		if i%2 == 0 {
			fmt.Fprintf(&h, "line %d of the base\n", i)
		} else {
			fmt.Fprintf(&h, "line %d rewritten\n", i)
		}
	}
	return []byte(b.String()), []byte(h.String())
}

func BenchmarkAddedLinesScattered(b *testing.B) {
	base, head := benchScatteredPair()
	for b.Loop() {
		if got := AddedLines(base, head); len(got) != 10000 {
			b.Fatalf("%d added lines", len(got))
		}
	}
}

func BenchmarkAddedLinesScatteredSergi(b *testing.B) {
	base, head := benchScatteredPair()
	dmp := diffmatchpatch.New()
	for b.Loop() {
		a, bb, lines := dmp.DiffLinesToRunes(string(base), string(head))
		diffs := dmp.DiffCharsToLines(dmp.DiffMainRunes(a, bb, false), lines)
		added := 0
		for _, d := range diffs {
			if d.Type == diffmatchpatch.DiffInsert {
				added += strings.Count(d.Text, "\n")
			}
		}
		if added < 10000 {
			b.Fatalf("%d added lines", added)
		}
	}
}
