package all

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tollgate-dev/tollgate/lockfiles"
)

// Nesting limits hold in every format that nests: a small hostile file is
// refused at once with an error naming the file, its line and the limit,
// instead of costing gigabytes and minutes (a 36 KB uv.lock of nested
// inline tables did, before the TOML depth check).
func TestNestingLimitInEveryFormat(t *testing.T) {
	const n = 6000
	jsonDeep := `{"lockfileVersion": 3, "packages": {"a": ` + strings.Repeat(`{"a": `, n) + "1" + strings.Repeat("}", n) + "}}"
	tomlDeep := "version = 1\n[[package]]\nname = \"a\"\nversion = \"1\"\nsource = " + strings.Repeat("{a = ", n) + "1" + strings.Repeat("}", n) + "\n"
	yamlDeep := "lockfileVersion: '9.0'\npackages:\n  a: " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n"
	cases := map[string]string{
		"package-lock.json":        jsonDeep,
		"composer.lock":            jsonDeep,
		"packages.lock.json":       jsonDeep,
		"Pipfile.lock":             jsonDeep,
		"bun.lock":                 `{"lockfileVersion": 1, "workspaces": {"": ` + strings.Repeat(`{"a": `, n) + "1" + strings.Repeat("}", n) + `}}`,
		"uv.lock":                  tomlDeep,
		"poetry.lock":              tomlDeep,
		"pdm.lock":                 tomlDeep,
		"Cargo.lock":               tomlDeep,
		"pnpm-lock.yaml":           yamlDeep,
		"pubspec.lock":             yamlDeep,
		".github/workflows/ci.yml": "on: push\njobs: " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n",
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			var parser lockfiles.Parser
			for _, p := range Parsers() {
				if p.Match(name) {
					parser = p
					break
				}
			}
			if parser == nil {
				t.Fatalf("no parser matches %s", name)
			}
			done := make(chan error, 1)
			go func() {
				_, err := lockfiles.ParseFile(context.Background(), fstest.MapFS{name: {Data: []byte(content)}}, name, parser, lockfiles.Limits{})
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(2 * time.Minute):
				t.Fatal("no answer: the nesting was not bounded")
			}
			var pe *lockfiles.ParseError
			if err == nil || !errors.As(err, &pe) || pe.Path != name || !strings.Contains(err.Error(), "256") {
				t.Errorf("error %v, want one naming %s and the limit of 256", err, name)
			}
		})
	}
}
