package analyze

import (
	"bytes"
	"cmp"
	"encoding/json"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"weak"

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
	// Guess, when set and true for a package, says that Match could not
	// find the entry point itself and names every file that may be it (a
	// Composer plugin whose class the autoload mapping does not resolve):
	// then only the files the version adds or changes are judged, and a
	// changed one only by what it gains, never a file that is unchanged.
	Guess func(files map[string]*archive.File) bool
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
			{Files: map[string]string{"Cargo.toml": "[package]\nname = \"x\"\nbuild = false\n", "build.rs": "fn main() {}\n"}, File: "build.rs"}}}, // Composer runs a dependency's code at install time only when it is a
	// plugin: composer.json "type": "composer-plugin", whose extra.class (a
	// class name or a list of them) Composer loads through the package's
	// autoload mapping and runs in its own process on every install and
	// update, with the package's autoload "files" included as it loads. A
	// dependency's composer.json "scripts" are not entry points: Composer
	// runs only the root package's scripts, so treating a dependency's
	// post-install-cmd as one would be a false alarm (the False cases hold
	// one). Composer 2.2 and later also asks the root package to allow each
	// plugin (config.allow-plugins), which the package cannot show: a new
	// plugin runs once the project allows it, an allowed one on every update.
	{ID: "composer-plugin", Ecosystem: "Packagist", Phrase: "a Composer plugin's class (composer.json type composer-plugin), which runs inside Composer on every install and update,",
		Match: func(name string, files map[string]*archive.File) bool {
			p := composerPluginFiles(files)
			return p.files[name] || (p.guess && isPHP(name))
		},
		Guess: func(files map[string]*archive.File) bool { return composerPluginFiles(files).guess },
		True: []EntryCase{
			{Files: map[string]string{"composer.json": `{"name":"a/p","type":"composer-plugin","autoload":{"psr-4":{"A\\P\\":"src/"}},"extra":{"class":"A\\P\\Plugin"}}`, "src/Plugin.php": "<?php\n"}, File: "src/Plugin.php"},
			{Files: map[string]string{"composer.json": `{"type":"composer-plugin","autoload":{"psr-4":{"A\\":["lib/","src/"]}},"extra":{"class":["A\\One","\\A\\Sub\\Two"]}}`, "src/Sub/Two.php": "<?php\n", "lib/One.php": "<?php\n"}, File: "src/Sub/Two.php"},
			{Files: map[string]string{"composer.json": `{"type":"composer-plugin","autoload":{"psr-0":{"A_":"lib/"}},"extra":{"class":"A_Plugin"}}`, "lib/A/Plugin.php": "<?php\n"}, File: "lib/A/Plugin.php"},
			{Files: map[string]string{"composer.json": `{"type":"composer-plugin","autoload":{"psr-0":{"A\\P\\":"src/"}},"extra":{"class":"A\\P\\Plugin"}}`, "src/A/P/Plugin.php": "<?php\n"}, File: "src/A/P/Plugin.php"},
			{Files: map[string]string{"composer.json": `{"type":"composer-plugin","autoload":{"classmap":["plugin/"]},"extra":{"class":"A\\P\\Plugin"}}`, "plugin/Whatever.php": "<?php\nnamespace A\\P;\n\nfinal class Plugin implements PluginInterface {}\n", "plugin/Other.php": "<?php\nnamespace A\\P;\nclass Other {}\n"}, File: "plugin/Whatever.php"},
			{Files: map[string]string{"composer.json": `{"type":"composer-plugin","autoload":{"psr-4":{"A\\":"src/"},"files":["src/boot.php"]},"extra":{"class":"A\\Plugin"}}`, "src/Plugin.php": "<?php\n", "src/boot.php": "<?php\n"}, File: "src/boot.php"},
			// A class the mapping does not resolve: every PHP file may be it.
			{Files: map[string]string{"composer.json": `{"type":"composer-plugin","extra":{"class":"A\\Plugin"}}`, "lib/Anything.php": "<?php\n"}, File: "lib/Anything.php"},
		},
		False: []EntryCase{
			{Files: map[string]string{"composer.json": `{"type":"library","autoload":{"psr-4":{"A\\P\\":"src/"}},"extra":{"class":"A\\P\\Plugin"}}`, "src/Plugin.php": "<?php\n"}, File: "src/Plugin.php"},
			{Files: map[string]string{"composer.json": `{"type":"composer-plugin","autoload":{"psr-4":{"A\\P\\":"src/"}},"extra":{"class":"A\\P\\Plugin"}}`, "src/Plugin.php": "<?php\n", "src/Util.php": "<?php\n"}, File: "src/Util.php"},
			{Files: map[string]string{"composer.json": `{"name":"a/lib","scripts":{"post-install-cmd":"php bin/setup.php","post-update-cmd":["@php bin/setup.php"]}}`, "bin/setup.php": "<?php\n"}, File: "bin/setup.php"},
			{Files: map[string]string{"composer.json": `{"type":"composer-plugin","autoload":{"psr-4":{"A\\":"src/"}},"extra":{"class":"A\\Plugin"}}`, "src/Plugin.php": "<?php\n", "tests/PluginTest.php": "<?php\n"}, File: "tests/PluginTest.php"},
		}},
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

// composerPlugin is what a Composer plugin package runs: the files of its
// plugin classes and its autoload "files"; guess is set when a class could
// not be resolved, so that every PHP file may be it.
type composerPlugin struct {
	files map[string]bool
	guess bool
}

// composerJSON is the part of composer.json that makes a plugin.
type composerJSON struct {
	Type     string `json:"type"`
	Autoload struct {
		PSR4     map[string]json.RawMessage `json:"psr-4"`
		PSR0     map[string]json.RawMessage `json:"psr-0"`
		Classmap []string                   `json:"classmap"`
		Files    []string                   `json:"files"`
	} `json:"autoload"`
	Extra struct {
		Class json.RawMessage `json:"class"`
	} `json:"extra"`
}

// composerPluginFiles resolves a Composer plugin's classes (composer.json
// extra.class) to files through its autoload mapping, as Composer's class
// loader would, best effort: PSR-4 (longest prefix first, then the others
// and the fallback ""), PSR-0 (namespace separators and the class name's
// underscores as directories), and the classmap's files and directories
// searched for the class's declaration in its namespace. A package that is
// not a plugin runs nothing.
func composerPluginFiles(files map[string]*archive.File) composerPlugin {
	f := files["composer.json"]
	if f == nil {
		return composerPlugin{}
	}
	// Match asks once a file, and a classmap is searched file by file:
	// the answer is kept for the composer.json (weakly, so that it keeps
	// no archive alive) and the number of files.
	key := pluginKey{weak.Make(f), len(files)}
	pluginMemo.Lock()
	p, ok := pluginMemo.m[key]
	pluginMemo.Unlock()
	if ok {
		return p
	}
	p = resolvePlugin(f, files)
	pluginMemo.Lock()
	if len(pluginMemo.m) >= 64 {
		clear(pluginMemo.m)
	}
	pluginMemo.m[key] = p
	pluginMemo.Unlock()
	return p
}

type pluginKey struct {
	f weak.Pointer[archive.File]
	n int
}

var pluginMemo = struct {
	sync.Mutex
	m map[pluginKey]composerPlugin
}{m: map[pluginKey]composerPlugin{}}

func resolvePlugin(f *archive.File, files map[string]*archive.File) composerPlugin {
	var doc composerJSON
	if json.Unmarshal(f.Data, &doc) != nil || doc.Type != "composer-plugin" {
		return composerPlugin{}
	}
	out := composerPlugin{files: map[string]bool{}}
	for _, p := range doc.Autoload.Files {
		if n := cleanRel(p); files[n] != nil {
			out.files[n] = true
		}
	}
	classes := stringOrList(doc.Extra.Class)
	if len(classes) == 0 {
		out.guess = true // Composer refuses a plugin without a class; judge it anyway
	}
	var names []string // sorted, for the classmap
	for _, class := range classes {
		class = strings.TrimPrefix(strings.TrimSpace(class), `\`)
		if n := resolveClass(class, &doc, files); n != "" {
			out.files[n] = true
			continue
		}
		if len(doc.Autoload.Classmap) > 0 && names == nil {
			names = slices.Sorted(maps.Keys(files))
		}
		if n := classmapFile(class, doc.Autoload.Classmap, names, files); n != "" {
			out.files[n] = true
		} else {
			out.guess = true
		}
	}
	return out
}

func resolveClass(class string, doc *composerJSON, files map[string]*archive.File) string {
	// PSR-4: the prefix's directories hold the rest of the name.
	var prefixes []string
	for p := range doc.Autoload.PSR4 {
		if strings.HasPrefix(class, p) {
			prefixes = append(prefixes, p)
		}
	}
	slices.SortFunc(prefixes, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	for _, p := range prefixes {
		rel := strings.ReplaceAll(strings.TrimPrefix(class, p), `\`, "/") + ".php"
		for _, dir := range stringOrList(doc.Autoload.PSR4[p]) {
			if n := cleanRel(path.Join(dir, rel)); files[n] != nil {
				return n
			}
		}
	}
	// PSR-0: the whole name under the directory, the class name's
	// underscores as directories.
	ns, short := "", class
	if i := strings.LastIndex(class, `\`); i >= 0 {
		ns, short = class[:i+1], class[i+1:]
	}
	rel := strings.ReplaceAll(ns, `\`, "/") + strings.ReplaceAll(short, "_", "/") + ".php"
	for _, p := range slices.Sorted(maps.Keys(doc.Autoload.PSR0)) {
		dirs := doc.Autoload.PSR0[p]
		if !strings.HasPrefix(class, p) {
			continue
		}
		for _, dir := range stringOrList(dirs) {
			if n := cleanRel(path.Join(dir, rel)); files[n] != nil {
				return n
			}
		}
	}
	return ""
}

// classmapFile is the PHP file under one of the classmap's paths that
// declares class in its namespace.
func classmapFile(class string, classmap, names []string, files map[string]*archive.File) string {
	ns, short := "", class
	if i := strings.LastIndex(class, `\`); i >= 0 {
		ns, short = class[:i], class[i+1:]
	}
	decl := regexp.MustCompile(`(?m)^\s*(?:(?:abstract|final|readonly)\s+)*class\s+` + regexp.QuoteMeta(short) + `\b`)
	nsDecl := regexp.MustCompile(`(?m)^\s*namespace\s+` + regexp.QuoteMeta(ns) + `\s*[;{]`)
	for _, name := range names {
		if !isPHP(name) && !strings.HasSuffix(name, ".inc") {
			continue
		}
		in := false
		for _, p := range classmap {
			p = cleanRel(p)
			in = in || p == "." || name == p || strings.HasPrefix(name, p+"/")
		}
		data := files[name].Data
		if in && decl.Match(data) && (ns == "" || nsDecl.Match(data)) {
			return name
		}
	}
	return ""
}

// stringOrList reads a composer.json value that is a string or a list of
// strings.
func stringOrList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		if one == "" {
			return nil
		}
		return []string{one}
	}
	var many []string
	json.Unmarshal(raw, &many)
	return many
}

// cleanRel is a composer.json path as a path inside the package.
func cleanRel(p string) string {
	return strings.TrimPrefix(path.Clean(strings.ReplaceAll(p, `\`, "/")), "./")
}

func isPHP(name string) bool { return strings.EqualFold(path.Ext(name), ".php") }
