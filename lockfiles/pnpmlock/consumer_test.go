package pnpmlock

import (
	"testing"

	lt "github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

const (
	// js-yaml is @zkochan/js-yaml 0.0.11, the loader pnpm 10.34.9 bundles
	// (lockfile/fs _read: load(), errors are ERR_PNPM_BROKEN_LOCKFILE); its
	// readings of these inputs were recorded with node 20.
	jsYAML = "@zkochan/js-yaml 0.0.11 load()"
	pnpm10 = "pnpm 10.34.9 install --frozen-lockfile --offline"
)

const readingHead = "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a:\n        specifier: 1.0.0\n        version: 1.0.0\n"

// pnpmReadings pins the reading of duplicate keys and merge keys to
// pnpm's: a merge key hid a package from a reader that took "<<" as an
// ordinary key, and a duplicate key made that reader take the first of two
// mappings where pnpm refuses the file.
var pnpmReadings = []lt.Reading{
	{
		Name: "merge key from an anchor",
		Src: readingHead + `extra: &extra
  evil@6.6.6:
    resolution: {integrity: sha512-evil}
packages:
  <<: *extra
  a@1.0.0:
    resolution: {integrity: sha512-a}
`,
		Want:   []string{"evil@6.6.6", "a@1.0.0"},
		Source: pnpm10 + ": a package listed only through a merged anchor is installed",
	},
	{
		Name: "merge key of an inline block",
		Src: readingHead + `packages:
  a@1.0.0:
    resolution: {integrity: sha512-a}
  <<:
    evil@6.6.6:
      resolution: {integrity: sha512-evil}
`,
		Want:   []string{"a@1.0.0", "evil@6.6.6"},
		Source: jsYAML + ` ("mergeInline": merged pairs follow the own ones)`,
	},
	{
		Name: "own keys win over merged ones, wherever they stand",
		Src: readingHead + `x: &x
  a@1.0.0: {resolution: {integrity: sha512-merged}}
  b@1.0.0: {resolution: {integrity: sha512-b}}
packages:
  <<: *x
  a@1.0.0: {resolution: {integrity: sha512-own}}
`,
		Want:   []string{"a@1.0.0", "b@1.0.0"},
		Source: jsYAML + ` ("mergeOverrideBefore": {"a@1.0.0":{"v":"own"}})`,
	},
	{
		Name: "of several merged mappings the first holding a key wins",
		Src: readingHead + `x: &x {a@1.0.0: {resolution: {integrity: sha512-x}}}
y: &y {a@1.0.0: {resolution: {integrity: sha512-y}}, c@3.0.0: {resolution: {integrity: sha512-c}}}
packages:
  <<: [*x, *y]
`,
		Want:   []string{"a@1.0.0", "c@3.0.0"},
		Source: jsYAML + ` ("mergeSeq": {"k":1,"a":"x","b":"y"})`,
	},
	{
		Name:    "duplicate packages mapping",
		Src:     readingHead + "packages:\n  a@1.0.0: {resolution: {integrity: sha512-a}}\npackages:\n  evil@6.6.6: {resolution: {integrity: sha512-evil}}\n",
		ErrLine: 10, ErrText: `duplicate key "packages"`,
		Source: pnpm10 + `: ERR_PNPM_BROKEN_LOCKFILE duplicated mapping key`,
	},
	{
		Name:    "duplicate package entry",
		Src:     readingHead + "packages:\n  a@1.0.0: {resolution: {integrity: sha512-a}}\n  a@1.0.0: {resolution: {integrity: sha512-evil}}\n",
		ErrLine: 10, ErrText: `duplicate key "a@1.0.0"`,
		Source: jsYAML + ` ("dupPkg": duplicated mapping key)`,
	},
	{
		Name:    "an own key after a merge is still a duplicate the second time",
		Src:     readingHead + "x: &x {b@1.0.0: {}}\npackages:\n  <<: *x\n  a@1.0.0: {resolution: {integrity: sha512-a}}\n  a@1.0.0: {resolution: {integrity: sha512-b}}\n",
		ErrLine: 12, ErrText: `duplicate key "a@1.0.0"`,
		Source: jsYAML + ` ("dupAfterMerge": duplicated mapping key)`,
	},
	{
		Name:    "keys are compared as strings",
		Src:     readingHead + "packages:\n  a@1.0.0:\n    resolution: {integrity: sha512-a}\n    dev: false\n    'dev': true\n",
		ErrLine: 12, ErrText: `duplicate key "dev"`,
		Source: jsYAML + ` ("dupNumStr": 1 and '1' are duplicated mapping keys)`,
	},
	{
		Name:    "merging a scalar",
		Src:     readingHead + "packages:\n  <<: 1\n",
		ErrLine: 9, ErrText: "not a mapping",
		Source: jsYAML + ` ("mergeScalar": cannot merge mappings; the provided source object is unacceptable)`,
	},
	{
		Name:    "duplicate snapshot",
		Src:     readingHead + "packages:\n  a@1.0.0: {resolution: {integrity: sha512-a}}\nsnapshots:\n  a@1.0.0: {}\n  a@1.0.0:\n    dependencies:\n      b: 1.0.0\n",
		ErrLine: 12, ErrText: `duplicate key "a@1.0.0"`,
		Source: jsYAML + " (duplicated mapping key)",
	},
	{
		Name:    "duplicate dependency group",
		Src:     readingHead + "packages:\n  a@1.0.0: {resolution: {integrity: sha512-a}}\nsnapshots:\n  a@1.0.0:\n    dependencies: {}\n    dependencies:\n      b: 1.0.0\n",
		ErrLine: 13, ErrText: `duplicate key "dependencies"`,
		Source: jsYAML + " (duplicated mapping key)",
	},
	{
		Name:   "keys differing in case are two keys",
		Src:    readingHead + "packages:\n  a@1.0.0: {resolution: {integrity: sha512-a}}\n  A@1.0.0: {resolution: {integrity: sha512-b}}\n",
		Want:   []string{"a@1.0.0", "A@1.0.0"},
		Source: jsYAML + ` ("dupCase": {"a":1,"A":2})`,
	},
}

func TestPnpmReadings(t *testing.T) {
	lt.CheckReadings(t, Parser{}, "pnpm-lock.yaml", pnpmReadings)
}
