package lockfiles

import "testing"

func TestMergeConflictLine(t *testing.T) {
	tests := []struct {
		name    string
		content string
		line    int
		ok      bool
	}{
		{"plain", "{\n\"a\": 1\n}\n", 0, false},
		{"all three markers", "a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> x\n", 2, true},
		// npm's regexes and yarn's and pnpm's indexOf find a marker anywhere,
		// inside a JSON string too, not only at the start of a line.
		{"inside strings", `{"m": "<<<<<<<", "n": "=======", "o": ">>>>>>>"}`, 1, true},
		{"two of three", "<<<<<<< HEAD\n=======\n", 0, false},
		{"six characters are no marker", "<<<<<< a\n====== b\n>>>>>> c\n", 0, false},
		{"CR-only lines are one line", "a\r<<<<<<<\r=======\r>>>>>>>\r", 1, true},
	}
	for _, tt := range tests {
		line, ok := MergeConflictLine([]byte(tt.content))
		if line != tt.line || ok != tt.ok {
			t.Errorf("%s: MergeConflictLine = %d, %v; want %d, %v", tt.name, line, ok, tt.line, tt.ok)
		}
	}
}
