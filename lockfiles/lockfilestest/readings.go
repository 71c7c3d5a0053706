package lockfilestest

import (
	"slices"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/lockfiles"
)

// Reading is one input a package manager was seen to read (or refuse), for
// tests that pin a parser to the tool's own reading: Want lists the packages
// as "name@version" in order, or ErrLine and ErrText say where and why the
// parser must refuse the file (a *lockfiles.ParseError naming it). Source
// says which tool and version produced the expectation, or which of its
// sources was read.
type Reading struct {
	Name    string
	Src     string
	Want    []string
	ErrLine int
	ErrText string
	Source  string
}

// CheckReadings parses every case under the file name name and compares with
// its expectation.
func CheckReadings(t *testing.T, p lockfiles.Parser, name string, cases []Reading) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			pkgs, err := ParseBytes(p, name, []byte(c.Src))
			if c.ErrText != "" || c.ErrLine != 0 {
				if err == nil {
					t.Fatalf("read %v, want an error at line %d (%s)", NameVersions(pkgs), c.ErrLine, c.Source)
				}
				AssertParseError(t, err, name, c.ErrLine)
				if !strings.Contains(err.Error(), c.ErrText) {
					t.Errorf("error %q does not say %q", err, c.ErrText)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v, want %v (%s)", err, c.Want, c.Source)
			}
			if got := NameVersions(pkgs); !slices.Equal(got, c.Want) {
				t.Errorf("read %v, want %v (%s)", got, c.Want, c.Source)
			}
		})
	}
}

// AddReadings adds every case's input to a fuzz corpus.
func AddReadings(f *testing.F, cases []Reading) {
	for _, c := range cases {
		f.Add([]byte(c.Src))
	}
}

// NameVersions lists packages as "name@version", in order.
func NameVersions(pkgs []lockfiles.Package) []string {
	out := make([]string, 0, len(pkgs))
	for _, p := range pkgs {
		out = append(out, p.Name+"@"+p.Version)
	}
	return out
}
