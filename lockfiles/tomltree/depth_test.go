package tomltree

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckDepth(t *testing.T) {
	deep := func(n int, open, close string) string {
		return "x = " + strings.Repeat(open, n) + "1" + strings.Repeat(close, n) + "\n"
	}
	tests := []struct {
		name string
		src  string
		line int // 0: within the limit
	}{
		{"flat lockfile", "version = 1\n[[package]]\nname = \"a\"\nsource = { registry = \"https://pypi.org/simple\" }\ndeps = [{ name = \"b\" }]\n", 0},
		{"at the limit", deep(8, "{a = ", "}"), 0},
		{"inline tables past the limit", "a = 1\n" + deep(9, "{a = ", "}"), 2},
		{"arrays past the limit", deep(9, "[", "]"), 1},
		{"brackets in strings", "x = \"[[[[[[[[[[[[[\"\ny = '{{{{{{{{{{{{'\nz = \"\"\"\n[[[[[[[[[[[\n\"\"\"\nw = '''{{{{{{{{{{{'''\n", 0},
		{"brackets in comments", "# [[[[[[[[[[[[[[[[\nx = 1 # {{{{{{{{{{{{{\n", 0},
		{"escaped quote", `x = "\"[[[[[[[[[[[[[[[["` + "\n", 0},
		{"nesting on a later line", "a = [\n[\n[\n[\n[\n[\n[\n[\n[\n1]]]]]]]]]\n", 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckDepth([]byte(tt.src), 8)
			var de *DepthError
			switch {
			case tt.line == 0 && err != nil:
				t.Errorf("error %v", err)
			case tt.line != 0 && (!errors.As(err, &de) || de.Line != tt.line || de.Max != 8):
				t.Errorf("got %v (%+v), want line %d", err, de, tt.line)
			}
		})
	}
}

// A 36 KB uv.lock of 6,000 nested inline tables is refused at once.
func BenchmarkCheckDepthHostile(b *testing.B) {
	data := []byte("version = 1\n[[package]]\nname = \"a\"\nsource = " + strings.Repeat("{a = ", 6000) + "1" + strings.Repeat("}", 6000) + "\n")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if CheckDepth(data, 256) == nil {
			b.Fatal("not refused")
		}
	}
}

// FuzzCheckDepth: the depth check never fails on a limit it passed at a
// smaller one, and agrees with itself past the deepest nesting it allows.
func FuzzCheckDepth(f *testing.F) {
	for _, s := range []string{
		"x = " + strings.Repeat("{a = ", 300) + "1" + strings.Repeat("}", 300) + "\n",
		"x = " + strings.Repeat("[", 300) + strings.Repeat("]", 300) + "\n",
		"x = \"\"\"[[[\\\"\"\"\" # {{{\ny = '''{{{'''\n[[package]]\nname = \"a\"\n",
		"x = \"unterminated [[[[\ny = [[[\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, max := range []int{1, 4, 16, 256} {
			if CheckDepth(data, max) == nil {
				for _, more := range []int{max + 1, max * 2, 1 << 20} {
					if err := CheckDepth(data, more); err != nil {
						t.Fatalf("passed at %d, failed at %d: %v", max, more, err)
					}
				}
			}
		}
	})
}
