package action

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/checks/all"

	yaml "go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/config"
)

// TestActionMetadata checks action.yml against the code: every input the
// Action reads is declared and documented, every declared input is read, and
// the outputs it sets are exactly the declared ones.
func TestActionMetadata(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Name     string `yaml:"name"`
		Branding struct {
			Icon  string `yaml:"icon"`
			Color string `yaml:"color"`
		} `yaml:"branding"`
		Inputs  map[string]struct{ Description, Default string } `yaml:"inputs"`
		Outputs map[string]struct{ Description string }          `yaml:"outputs"`
		Runs    struct{ Using, Image string }                    `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &meta); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if meta.Name == "" || meta.Branding.Icon == "" || meta.Branding.Color == "" {
		t.Errorf("action.yml lacks name or branding: %+v", meta)
	}
	if meta.Runs.Using != "docker" || !strings.HasPrefix(meta.Runs.Image, "docker://") {
		t.Errorf("runs = %+v, want a prebuilt docker image", meta.Runs)
	}
	src, err := os.ReadFile("action.go")
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]bool{}
	for _, m := range regexp.MustCompile(`get\("([a-z-]+)"\)|\{"([a-z-]+)", &in\.`).FindAllStringSubmatch(string(src), -1) {
		read[m[1]+m[2]] = true
	}
	if len(read) < 10 {
		t.Fatalf("found only %d inputs read in action.go: %v", len(read), read)
	}
	for name := range read {
		in, ok := meta.Inputs[name]
		if !ok {
			t.Errorf("input %q is read but not declared in action.yml", name)
		} else if len(in.Description) < 20 {
			t.Errorf("input %q has no real description", name)
		}
	}
	for name := range meta.Inputs {
		if !read[name] {
			t.Errorf("input %q is declared but never read", name)
		}
	}
	set := outputs(nil, "", "")
	set["comment-url"] = ""
	var got, want []string
	for n := range set {
		got = append(got, n)
	}
	for n, o := range meta.Outputs {
		want = append(want, n)
		if len(o.Description) < 10 {
			t.Errorf("output %q has no real description", n)
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("outputs set %v, declared %v", got, want)
	}
}

// The checks input names exactly the check ids the registry has.
func TestChecksInputNamesTheRegistry(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Inputs map[string]struct{ Description string } `yaml:"inputs"`
	}
	if err := yaml.Unmarshal(data, &meta); err != nil {
		t.Fatal(err)
	}
	desc := meta.Inputs["checks"].Description
	for _, id := range all.IDs() {
		if !regexp.MustCompile(`\b` + id + `\b`).MatchString(desc) {
			t.Errorf("the checks input does not name %q: %s", id, desc)
		}
	}
}

// TestRepositoryFiles: the repository's own policy loads, and its workflows
// are valid YAML with jobs.
func TestRepositoryFiles(t *testing.T) {
	cfg, err := config.Load(filepath.Join("..", ".github", "tollgate.yml"), all.IDs())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.FailOn != "high" || !cfg.Excluded("lockfiles/npmlock/testdata/x/package-lock.json") || cfg.Excluded("go.mod") {
		t.Errorf("policy: fail-on %q, excludes %v", cfg.FailOn, cfg.Exclude)
	}
	files, err := filepath.Glob(filepath.Join("..", ".github", "workflows", "*.yml"))
	if err != nil || len(files) < 3 {
		t.Fatalf("workflows: %v %v", files, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var wf struct {
			Name string         `yaml:"name"`
			On   any            `yaml:"on"`
			Jobs map[string]any `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(data, &wf); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if wf.Name == "" || wf.On == nil || len(wf.Jobs) == 0 {
			t.Errorf("%s: name %q, on %v, %d jobs", f, wf.Name, wf.On, len(wf.Jobs))
		}
	}
}
