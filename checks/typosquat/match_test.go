package typosquat

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/checks/typosquat/popular"
	"github.com/tollgate-dev/tollgate/lockfiles"
)

// testSnapshot is a small snapshot in the embedded format: ranks are line
// order.
const testSnapshot = `=PyPI
requests
python-dateutil
matplotlib
django
jellyfish
cfg-if
=npm
lodash
cross-env
@babel/core
@types/node
lodash.pick
eslint
react
react-dom
vue
=crates.io
lazy_static
serde
postgres
=NuGet
Microsoft.EntityFrameworkCore
Newtonsoft.Json
=Go
github.com/boltdb/bolt
github.com/shopspring/decimal
golang.org/x/crypto
=GitHub Actions
actions/checkout
actions/setup-node
=Packagist
guzzlehttp/guzzle
`

func testCheck(t *testing.T) *Check {
	t.Helper()
	snap, err := popular.Parse(strings.NewReader(testSnapshot))
	if err != nil {
		t.Fatal(err)
	}
	return New(snap)
}

// Each kind of confusion with a true case (the target is named) and the
// false cases users of other tools complain about (nothing is named).
func TestMatchCases(t *testing.T) {
	c := testCheck(t)
	tests := []struct {
		eco, name, target string // target "" means no match
		confident         bool
	}{
		// Swapped, repeated, omitted, neighbouring-key letters.
		{lockfiles.EcosystemPyPI, "reqeusts", "requests", true},
		{lockfiles.EcosystemPyPI, "reequests", "requests", true},
		{lockfiles.EcosystemPyPI, "reuests", "requests", false},
		{lockfiles.EcosystemPyPI, "mstplotlib", "matplotlib", false},
		{lockfiles.EcosystemCrates, "postgress", "postgres", true},
		{lockfiles.EcosystemCrates, "serd", "serde", false},
		// Separators, affixes, case, reordered words, look-alike letters.
		{lockfiles.EcosystemCrates, "lazystatic", "lazy_static", true},
		{lockfiles.EcosystemNPM, "crossenv", "cross-env", true},
		{lockfiles.EcosystemNPM, "lodash.js", "lodash", true},
		{lockfiles.EcosystemPyPI, "python3-dateutil", "python-dateutil", true},
		{lockfiles.EcosystemPyPI, "dateutil", "python-dateutil", true},
		{lockfiles.EcosystemPyPI, "if-cfg", "cfg-if", true},
		{lockfiles.EcosystemPyPI, "jeIlyfish", "jellyfish", true},
		{lockfiles.EcosystemNuGet, "Мircosоft.ЕntitуFramеworkСоrе", "Microsoft.EntityFrameworkCore", true},
		{lockfiles.EcosystemNuGet, "Micrоsoft.EntityFrameworkCore", "Microsoft.EntityFrameworkCore", true},
		{lockfiles.EcosystemNuGet, "newtonsoft.json", "", false}, // NuGet ids are case-insensitive: the same package
		{lockfiles.EcosystemNuGet, "Microsofft.EntetyFrameworkCore", "Microsoft.EntityFrameworkCore", false},
		// An appended number.
		{lockfiles.EcosystemNPM, "lodash2", "lodash", false},
		// Owners: npm scopes, Actions, github.com modules.
		{lockfiles.EcosystemNPM, "@bable/core", "@babel/core", true},
		{lockfiles.EcosystemGitHubActions, "actlons/checkout", "actions/checkout", true},
		{lockfiles.EcosystemGitHubActions, "actions-org/checkout", "", false},
		{lockfiles.EcosystemGo, "github.com/boltdb-go/bolt", "github.com/boltdb/bolt", true},
		{lockfiles.EcosystemGo, "github.com/shopsprint/decimal", "github.com/shopspring/decimal", true},
		{lockfiles.EcosystemGo, "golang.org/x/crpyto", "golang.org/x/crypto", true},

		// False alarms to avoid.
		{lockfiles.EcosystemNPM, "lodash.pick", "", false},                // popular itself: never a squat of lodash
		{lockfiles.EcosystemNPM, "oxlint", "", false},                     // two letters from eslint, a different tool
		{lockfiles.EcosystemNPM, "lodash-es", "", false},                  // a popular name used as a prefix
		{lockfiles.EcosystemNPM, "react-dnd", "", false},                  // two from react-dom, short
		{lockfiles.EcosystemNPM, "vue2", "", false},                       // short key
		{lockfiles.EcosystemNPM, "@babel/cores", "", false},               // same owner as @babel/core
		{lockfiles.EcosystemNPM, "@types/nodes", "", false},               // same owner
		{lockfiles.EcosystemNPM, "babel-core", "", false},                 // the unscoped name of @babel/core
		{lockfiles.EcosystemGitHubActions, "actions/checkuot", "", false}, // the same owner
		{lockfiles.EcosystemGitHubActions, "myorg/checkout", "", false},   // a different owner, nothing alike
		{lockfiles.EcosystemGo, "github.com/gofrs/uuid", "", false},
		{lockfiles.EcosystemGo, "github.com/boltdb/bolt/v2", "", false}, // the same module, another major
		{lockfiles.EcosystemPyPI, "Requests", "", false},                // PEP 503: the same project
		{lockfiles.EcosystemPyPI, "python_dateutil", "", false},         // PEP 503: the same project
		{lockfiles.EcosystemCrates, "lazy-static", "", false},           // crates.io: - and _ are one
		{lockfiles.EcosystemPub, "provider", "", false},                 // no names for Pub in this snapshot
	}
	for _, tt := range tests {
		ix := c.index(tt.eco)
		var m *Match
		if ix != nil {
			m = ix.Match(tt.name)
		}
		switch {
		case tt.target == "" && m != nil:
			t.Errorf("%s %q: flagged as a squat of %q (%s), want nothing", tt.eco, tt.name, m.Target, m.Kind)
		case tt.target != "" && m == nil:
			t.Errorf("%s %q: not flagged, want a squat of %q", tt.eco, tt.name, tt.target)
		case tt.target != "" && m.Target != tt.target:
			t.Errorf("%s %q: squat of %q, want %q", tt.eco, tt.name, m.Target, tt.target)
		case m != nil && m.Confident != tt.confident:
			t.Errorf("%s %q: confident %v (%s), want %v", tt.eco, tt.name, m.Confident, m.Kind, tt.confident)
		}
	}
}

func TestEditKinds(t *testing.T) {
	for _, tt := range []struct {
		a, b, kind string
		class      editClass
	}{
		{"reqeusts", "requests", "two adjacent letters swapped", editSwap},
		{"reequests", "requests", "a repeated letter", editRepeat},
		{"mstplotlib", "matplotlib", "one character changed (s for a)", editKeyboard},
		{"spglib", "svglib", "one character changed (p for v)", editOther},
		{"fabrice", "fabric", "one character added (e)", editOther},
		{"reuests", "requests", "one character left out (q)", editOther},
		{"postgres", "posttgres", "one character left out (t)", editRepeat},
	} {
		kind, class := classify(tt.a, tt.b)
		if kind != tt.kind || class != tt.class {
			t.Errorf("classify(%q, %q) = %q, %d; want %q, %d", tt.a, tt.b, kind, class, tt.kind, tt.class)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b  string
		limit int
		want  int
	}{
		{"requests", "requests", 2, 0},
		{"reqeusts", "requests", 2, 1},
		{"requests", "request", 2, 1},
		{"oxlint", "eslint", 2, 2},
		{"oxlint", "eslint", 1, 2}, // over the limit: limit+1
		{"abc", "abcdef", 2, 3},
	} {
		if got := distance(tt.a, tt.b, tt.limit); got != tt.want {
			t.Errorf("distance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
		}
	}
}

func TestParseSnapshotErrors(t *testing.T) {
	for _, bad := range []string{"", "requests\n", "=\nrequests\n"} {
		if _, err := popular.Parse(strings.NewReader(bad)); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}
