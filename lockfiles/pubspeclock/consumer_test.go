package pubspeclock

import (
	"testing"

	lt "github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

// dartYAML: dart is not available here; the expectations come from reading
// dart-lang/yaml lib/src/loader.dart (the loader pub reads pubspec.lock
// with): _loadMapping throws "Duplicate mapping key." when a key deep-equals
// one already loaded (an int 1 and a string '1' are not equal), aliases are
// looked up by name (a later anchor of the same name replaces the earlier
// one), and there is no merge type, so "<<" is a key like any other.
const dartYAML = "dart-lang/yaml loader.dart, read"

var pubReadings = []lt.Reading{
	{
		Name: "duplicate package",
		Src: `packages:
  http:
    dependency: "direct main"
    source: hosted
    version: "1.2.0"
  http:
    dependency: "direct main"
    source: hosted
    version: "6.6.6"
`,
		ErrLine: 6, ErrText: `duplicate key "http"`,
		Source: dartYAML + ": Duplicate mapping key.",
	},
	{
		Name: "duplicate packages mapping",
		Src: `packages:
  http:
    source: hosted
    version: "1.2.0"
packages:
  evil:
    source: hosted
    version: "6.6.6"
`,
		ErrLine: 5, ErrText: `duplicate key "packages"`,
		Source: dartYAML + ": Duplicate mapping key.",
	},
	{
		Name: "merge key",
		Src: `extra: &extra
  evil:
    source: hosted
    version: "6.6.6"
packages:
  <<: *extra
  http:
    source: hosted
    version: "1.2.0"
`,
		ErrLine: 6, ErrText: "merge key",
		Source: dartYAML + `: no merge type; pub would read a package named "<<"`,
	},
	{
		Name: "an integer key and a string key are two keys",
		Src: `packages:
  http:
    source: hosted
    version: "1.2.0"
    1: a
    '1': b
`,
		Want:   []string{"http@1.2.0"},
		Source: dartYAML + ": deep equality of the loaded keys",
	},
	{
		Name: "aliases are resolved",
		Src: `packages:
  http: &http
    source: hosted
    version: "1.2.0"
  http2: *http
`,
		Want:   []string{"http@1.2.0", "http2@1.2.0"},
		Source: dartYAML + ": _loadAlias returns the anchored node",
	},
}

func TestPubReadings(t *testing.T) {
	lt.CheckReadings(t, Parser{}, "pubspec.lock", pubReadings)
}
