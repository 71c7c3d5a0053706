package pipfilelock

import (
	"strings"
	"testing"

	lt "github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

// pipenv2022 is the tool behind the expectations below: pipenv 2022.12.19
// (Debian bookworm) `pipenv requirements` beside a Pipfile, after each edit
// of pipfileBase. pipenv reads the lock with Python's json module: of
// repeated keys the last wins, and NaN is a number.
const pipenv2022 = "pipenv 2022.12.19 requirements"

const pipfileBase = `{
    "_meta": {"hash": {"sha256": "0"}, "pipfile-spec": 6, "requires": {}, "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": true}]},
    "default": {
        "requests": {"hashes": [], "version": "==2.31.0"}
    },
    "develop": {}
}
`

func pipfileEdit(old, new string) string {
	if !strings.Contains(pipfileBase, old) {
		panic("pipfileEdit: " + old)
	}
	return strings.Replace(pipfileBase, old, new, 1)
}

const pipRequests = `"requests": {"hashes": [], "version": "==2.31.0"}`

var pipfileReadings = []lt.Reading{
	{Name: "as written", Src: pipfileBase, Want: []string{"requests@2.31.0"}, Source: pipenv2022},
	{
		Name:   "default twice",
		Src:    pipfileEdit(`    "develop": {}`, `    "develop": {},`+"\n"+`    "default": {"evil": {"hashes": [], "version": "==6.6.6"}}`),
		Want:   []string{"evil@6.6.6"},
		Source: pipenv2022 + ": evil==6.6.6 only",
	},
	{
		// pipenv keeps the last; tollgate lists both.
		Name:   "a package twice",
		Src:    pipfileEdit(pipRequests, pipRequests+",\n        "+`"requests": {"hashes": [], "version": "==6.6.6"}`),
		Want:   []string{"requests@2.31.0", "requests@6.6.6"},
		Source: pipenv2022 + ": requests==6.6.6",
	},
	{
		Name:   "version twice",
		Src:    pipfileEdit(`"version": "==2.31.0"}`, `"version": "==2.31.0", "version": "==6.6.6"}`),
		Want:   []string{"requests@6.6.6"},
		Source: pipenv2022 + ": requests==6.6.6",
	},
	{
		Name:   "names differing in case are two entries",
		Src:    pipfileEdit(pipRequests, pipRequests+",\n        "+`"Requests": {"hashes": [], "version": "==6.6.6"}`),
		Want:   []string{"requests@2.31.0", "Requests@6.6.6"},
		Source: pipenv2022 + ": requests==2.31.0 and requests==6.6.6",
	},
	{
		// Python reads NaN; tollgate refuses the file at the line rather
		// than read it otherwise.
		Name:    "NaN",
		Src:     pipfileEdit(`"pipfile-spec": 6`, `"pipfile-spec": NaN`),
		ErrLine: 2,
		Source:  pipenv2022 + ": requests==2.31.0",
	},
}

func TestPipenvReadings(t *testing.T) {
	lt.CheckReadings(t, Parser{}, "Pipfile.lock", pipfileReadings)
}
