package analyze

import (
	"bytes"
	"path"
	"regexp"
	"strings"

	"github.com/tollgate-dev/tollgate/checks/content/archive"
)

// EntryPoint is one kind of install-time entry point, as data: the files of
// a package that run when it is installed or built, each kind with the
// packages it must and must not find in (entrypoints_test.go runs them).
type EntryPoint struct {
	ID        string
	Ecosystem string
	// Phrase names the file in a finding's summary ("setup.py, which runs
	// when the source distribution installs,").
	Phrase string
	// Match reports whether name (a path inside the package, its top
	// directory removed) is such an entry point among files.
	Match func(name string, files map[string]*archive.File) bool
	// Ignore are capability rules the entry point reaches by design (build
	// scripts run compilers): they do not make a finding alone.
	Ignore []string
	// True and False are packages (path to content) with the file that is,
	// or is not, an entry point.
	True, False []EntryCase
}

// EntryCase is one package of an entry point's cases.
type EntryCase struct {
	Files map[string]string
	File  string
}

// EntryPoints are the install-time entry points the analyser knows, besides
// npm's install scripts (read from package.json, inlineCommands).
var EntryPoints = []EntryPoint{
	{ID: "setup-py", Ecosystem: "PyPI", Phrase: "setup.py, which runs when the source distribution installs,",
		Match: func(name string, _ map[string]*archive.File) bool { return name == "setup.py" },
		True:  []EntryCase{{Files: map[string]string{"setup.py": "from setuptools import setup\n"}, File: "setup.py"}},
		False: []EntryCase{{Files: map[string]string{"docs/setup.py": "x = 1\n"}, File: "docs/setup.py"}}},
	{ID: "build-backend", Ecosystem: "PyPI", Phrase: "an in-tree build backend (pyproject.toml backend-path), which runs when the source distribution builds,",
		Match: func(name string, files map[string]*archive.File) bool { return inTreeBackend(files)[name] },
		True: []EntryCase{{Files: map[string]string{"pyproject.toml": "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\"_build\"]\n", "_build/backend.py": "def build_wheel(d): pass\n"}, File: "_build/backend.py"},
			{Files: map[string]string{"pyproject.toml": "[build-system]\nbuild-backend = 'hooks.build:api'\nbackend-path = ['.']\n", "hooks/build/__init__.py": "api = 1\n"}, File: "hooks/build/__init__.py"}},
		False: []EntryCase{{Files: map[string]string{"pyproject.toml": "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n", "setuptools/build_meta.py": "x = 1\n"}, File: "setuptools/build_meta.py"}}},
	{ID: "pth-file", Ecosystem: "PyPI", Phrase: "a .pth file, which runs at every Python start-up,",
		Match: func(name string, _ map[string]*archive.File) bool {
			return strings.HasSuffix(name, ".pth") && (!strings.Contains(name, "/") || wheelDataPth.MatchString(name))
		},
		True:  []EntryCase{{Files: map[string]string{"x.pth": "import x\n"}, File: "x.pth"}, {Files: map[string]string{"x-1.0.data/purelib/x.pth": "import x\n"}, File: "x-1.0.data/purelib/x.pth"}},
		False: []EntryCase{{Files: map[string]string{"docs/example.pth": "lib\n"}, File: "docs/example.pth"}}},
	{ID: "gem-extension", Ecosystem: "RubyGems", Phrase: "a native extension's build script, which runs on gem install,",
		Match: func(name string, files map[string]*archive.File) bool {
			return (path.Base(name) == "extconf.rb" && strings.HasPrefix(name, "ext/")) || gemExtensions(files)[name]
		},
		Ignore: []string{"process-execution"},
		True: []EntryCase{{Files: map[string]string{"ext/x/extconf.rb": "require 'mkmf'\n"}, File: "ext/x/extconf.rb"},
			{Files: map[string]string{"metadata": "--- !ruby/object:Gem::Specification\nname: x\nextensions:\n- Rakefile\nfiles:\n- Rakefile\n", "Rakefile": "task :default\n"}, File: "Rakefile"}},
		False: []EntryCase{{Files: map[string]string{"metadata": "--- !ruby/object:Gem::Specification\nname: x\nextensions: []\n", "lib/extconf.rb": "x\n", "Rakefile": "task :default\n"}, File: "lib/extconf.rb"},
			{Files: map[string]string{"metadata": "name: x\nextensions: []\n", "Rakefile": "task :default\n"}, File: "Rakefile"}}},
	{ID: "nuget-install-script", Ecosystem: "NuGet", Phrase: "NuGet's PowerShell install script, which runs when the package is installed,",
		Match: func(name string, _ map[string]*archive.File) bool {
			n := strings.ToLower(name)
			return n == "tools/install.ps1" || n == "tools/init.ps1"
		},
		True:  []EntryCase{{Files: map[string]string{"tools/install.ps1": "param($installPath)\n"}, File: "tools/install.ps1"}, {Files: map[string]string{"Tools/Init.ps1": "x\n"}, File: "Tools/Init.ps1"}},
		False: []EntryCase{{Files: map[string]string{"content/scripts/install.ps1": "x\n"}, File: "content/scripts/install.ps1"}}},
	{ID: "nuget-msbuild", Ecosystem: "NuGet", Phrase: "MSBuild targets or props that NuGet imports into every build of the consuming project,",
		Match: func(name string, _ map[string]*archive.File) bool { return msbuildImport.MatchString(name) },
		True:  []EntryCase{{Files: map[string]string{"build/X.targets": "<Project/>\n"}, File: "build/X.targets"}, {Files: map[string]string{"buildTransitive/net8.0/X.props": "<Project/>\n"}, File: "buildTransitive/net8.0/X.props"}},
		False: []EntryCase{{Files: map[string]string{"contentFiles/any/any/X.targets": "<Project/>\n"}, File: "contentFiles/any/any/X.targets"}}},
	{ID: "cargo-build-script", Ecosystem: "crates.io", Phrase: "Cargo's build script, which runs on every build,",
		Match: func(name string, files map[string]*archive.File) bool {
			if b := cargoBuild(files); b != "" {
				return name == b
			}
			return name == "build.rs"
		},
		Ignore: []string{"process-execution"},
		True: []EntryCase{{Files: map[string]string{"Cargo.toml": "[package]\nname = \"x\"\n", "build.rs": "fn main() {}\n"}, File: "build.rs"},
			{Files: map[string]string{"Cargo.toml": "[package]\nname = \"x\"\nbuild = \"tools/gen.rs\"\n", "tools/gen.rs": "fn main() {}\n"}, File: "tools/gen.rs"}},
		False: []EntryCase{{Files: map[string]string{"Cargo.toml": "[package]\nname = \"x\"\n", "src/build.rs": "pub fn build() {}\n"}, File: "src/build.rs"},
			{Files: map[string]string{"Cargo.toml": "[package]\nname = \"x\"\nbuild = false\n", "build.rs": "fn main() {}\n"}, File: "build.rs"}}},
}

var (
	wheelDataPth  = regexp.MustCompile(`^[^/]+\.data/(?:purelib|platlib)/[^/]+\.pth$`)
	msbuildImport = regexp.MustCompile(`(?i)^(?:build|buildTransitive|buildMultiTargeting)/(?:[^/]+/)?[^/]+\.(?:targets|props)$`)
	backendKey    = regexp.MustCompile(`(?m)^\s*build-backend\s*=\s*["']([\w.]+)(?::[\w.]+)?["']`)
	backendPath   = regexp.MustCompile(`(?m)^\s*backend-path\s*=\s*\[([^\]]*)\]`)
	quoted        = regexp.MustCompile(`["']([^"']*)["']`)
	cargoBuildKey = regexp.MustCompile(`(?m)^\s*build\s*=\s*(?:"([^"]+)"|(false))`)
)

// inTreeBackend lists the module files of a build backend pyproject.toml
// loads from the package itself (PEP 517 backend-path).
func inTreeBackend(files map[string]*archive.File) map[string]bool {
	f := files["pyproject.toml"]
	if f == nil {
		return nil
	}
	m, p := backendKey.FindSubmatch(f.Data), backendPath.FindSubmatch(f.Data)
	if m == nil || p == nil {
		return nil
	}
	mod := strings.ReplaceAll(string(m[1]), ".", "/")
	out := map[string]bool{}
	for _, d := range quoted.FindAllSubmatch(p[1], -1) {
		dir := path.Clean(string(d[1]))
		for _, c := range []string{mod + ".py", mod + "/__init__.py"} {
			out[path.Clean(path.Join(dir, c))] = true
		}
	}
	return out
}

// gemExtensions lists the files a gem's metadata (its gemspec as YAML)
// names under extensions:, which RubyGems runs to build them.
func gemExtensions(files map[string]*archive.File) map[string]bool {
	f := files["metadata"]
	if f == nil {
		return nil
	}
	out := map[string]bool{}
	in := false
	for line := range bytes.SplitSeq(f.Data, []byte("\n")) {
		s := string(bytes.TrimRight(line, "\r"))
		switch {
		case strings.HasPrefix(s, "extensions:"):
			in = true
		case in && strings.HasPrefix(strings.TrimSpace(s), "- "):
			out[strings.Trim(strings.TrimSpace(strings.TrimSpace(s)[2:]), `"'`)] = true
		case in:
			in = false
		}
	}
	return out
}

// cargoBuild is the build script Cargo.toml names ("" for the default
// build.rs); "-" when build = false turns it off.
func cargoBuild(files map[string]*archive.File) string {
	f := files["Cargo.toml"]
	if f == nil {
		return ""
	}
	m := cargoBuildKey.FindSubmatch(f.Data)
	switch {
	case m == nil:
		return ""
	case len(m[2]) > 0:
		return "-"
	}
	return path.Clean(string(m[1]))
}
