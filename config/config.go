// Package config reads .github/tollgate.yml, the policy file of a repository:
// which checks run, the fail-on threshold, registries, internal names,
// ignores with a reason and an expiry date, allowlists and excluded paths.
// Unknown keys and bad values are errors naming the file and the line.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/tollgate-dev/tollgate/scanner"
	yaml "go.yaml.in/yaml/v3"
)

// DefaultPath is where a repository keeps its config.
const DefaultPath = ".github/tollgate.yml"

// DefaultRegistries returns the keys of the registries map with each one's
// official public endpoint, used where the config sets none.
func DefaultRegistries() map[string]string {
	return map[string]string{
		"npm":       "https://registry.npmjs.org",
		"pypi":      "https://pypi.org",
		"rubygems":  "https://rubygems.org",
		"nuget":     "https://api.nuget.org/v3/index.json",
		"crates":    "https://crates.io",
		"go":        "https://proxy.golang.org",
		"packagist": "https://repo.packagist.org",
	}
}

// MaxSize bounds the config file.
const MaxSize = 1 << 20

// Config is the parsed policy. The zero value is not valid; use Default.
type Config struct {
	// FailOn is critical, high, medium, low or none.
	FailOn string `yaml:"fail-on"`
	// FailOnSkipped makes a scan in which any check, or part of one, could
	// not run (a network error, a rate limit, an OSV outage, an unreadable
	// lockfile, a budget run out) incomplete (exit 3) instead of passing on
	// what did run: fail closed. On by default; false opts out. What the user
	// left out by choice (--offline, a check turned off) never counts.
	FailOnSkipped bool `yaml:"fail-on-skipped"`
	// Checks turns checks on or off by name; absent means on.
	Checks map[string]bool `yaml:"checks"`
	// Budgets bound each check's running time by name ("90s", "5m"); a check
	// whose budget runs out reports what it found and is listed as skipped
	// for the rest.
	Budgets map[string]string `yaml:"budgets"`
	// Cooldown is how young a locked release may be before the registry
	// check reports it (release-too-new): a Go duration or days ("72h",
	// "3d"); empty means 72 hours.
	Cooldown string `yaml:"cooldown"`
	// Registries are base URLs per registry (npm, pypi, rubygems, nuget,
	// crates, go, packagist); empty means the public default.
	Registries map[string]string `yaml:"registries"`
	// RegistryAuth names, per registry key, the environment variables that
	// hold its credentials (never the credentials themselves: the config is
	// committed). They are sent only to that registry's base URL origin.
	RegistryAuth map[string]RegistryAuth `yaml:"registry-auth"`
	// AllowedRegistries lists the hosts lockfiles may download from; empty
	// means any.
	AllowedRegistries []string  `yaml:"allowed-registries"`
	OSV               OSV       `yaml:"osv"`
	Typosquat         Typosquat `yaml:"typosquat"`
	GitHub            GitHub    `yaml:"github"`
	Internal          Internal  `yaml:"internal"`
	Ignore            []Ignore  `yaml:"ignore"`
	Allow             Allow     `yaml:"allow"`
	// Exclude lists glob patterns of paths never scanned.
	Exclude []string `yaml:"exclude"`
	// Thresholds tune heuristics (e.g. typosquat-distance, min-package-age-days).
	Thresholds map[string]float64 `yaml:"thresholds"`

	// Path is the file the config came from ("" for the default).
	Path string `yaml:"-"`
	// ChecksSetBy names what replaced the checks map, when not the file
	// (the Action's checks input).
	ChecksSetBy string `yaml:"-"`

	budgets map[string]time.Duration
}

// MaxBudget bounds a check's budget in the config.
const MaxBudget = 6 * time.Hour

// Budget is the config's time budget for a check, or 0 when it sets none.
func (c *Config) Budget(check string) time.Duration { return c.budgets[check] }

// OSV configures the OSV source.
type OSV struct {
	URL string `yaml:"url"`
	DB  string `yaml:"db"`
}

// Typosquat configures the typosquat check.
type Typosquat struct {
	// Snapshot replaces the built-in popularity snapshot for the ecosystems
	// it holds: a file (absolute, outside the repository in pull-request
	// mode) or an https URL (fetched and cached for a day in the cache
	// directory), in the snapshot's format (checks/typosquat/popular).
	Snapshot string `yaml:"snapshot"`
}

// RegistryAuth names the environment variables holding one registry's
// credentials: a bearer token (npm, GitHub Packages, most private
// registries), or a user name and password for HTTP Basic authentication
// (Artifactory, Nexus, private PyPI and NuGet feeds).
type RegistryAuth struct {
	TokenEnv    string `yaml:"token-env"`
	UsernameEnv string `yaml:"username-env"`
	PasswordEnv string `yaml:"password-env"`
}

// envName is what an environment variable name may be.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// tokenPrefix matches the registry and GitHub tokens that also read as
// variable names (npm_…, ghp_…): a credential pasted where its variable's
// name belongs.
var tokenPrefix = regexp.MustCompile(`^(npm|gh[pousr]|github_pat)_[A-Za-z0-9_]{16,}$`)

// GitHub configures the GitHub API.
type GitHub struct {
	API string `yaml:"api"`
}

// Internal names the organisation's own packages, for dependency confusion.
type Internal struct {
	Scopes   []string `yaml:"scopes"`
	Prefixes []string `yaml:"prefixes"`
	Names    []string `yaml:"names"`
}

// Allow lists findings that are accepted.
type Allow struct {
	// Paths are globs whose findings are dropped.
	Paths []string `yaml:"paths"`
	// Secrets are "fingerprint:<hex>" entries of accepted secrets.
	Secrets []string `yaml:"secrets"`
	// Patterns are RE2 expressions; a secret whose value matches one is
	// dropped (test keys of a known shape, placeholders).
	Patterns []string `yaml:"patterns"`
}

// Ignore silences findings by advisory id, or by rule (and package or path),
// until a date, for a stated reason.
type Ignore struct {
	ID      string `yaml:"id"`
	Rule    string `yaml:"rule"`
	Package string `yaml:"package"`
	Path    string `yaml:"path"`
	Reason  string `yaml:"reason"`
	Until   string `yaml:"until"`

	// Line is where the entry starts in the config file.
	Line int `yaml:"-"`
	// Expires is Until parsed (end of that day, UTC).
	Expires time.Time `yaml:"-"`
}

// Describe names the ignore for messages.
func (ig Ignore) Describe() string {
	var parts []string
	if ig.ID != "" {
		parts = append(parts, "id "+ig.ID)
	}
	if ig.Rule != "" {
		parts = append(parts, "rule "+ig.Rule)
	}
	if ig.Package != "" {
		parts = append(parts, "package "+ig.Package)
	}
	if ig.Path != "" {
		parts = append(parts, "path "+ig.Path)
	}
	return strings.Join(parts, ", ")
}

// Default returns the config used when a repository has none.
func Default() *Config {
	return &Config{FailOn: "high", FailOnSkipped: true, Checks: map[string]bool{}}
}

// Enabled reports whether a check is on (absent means on).
func (c *Config) Enabled(check string) bool {
	on, ok := c.Checks[check]
	return !ok || on
}

// Error is a config problem at a line.
type Error struct {
	Path string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("config %s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("config %s: %s", e.Path, e.Msg)
}

// Load reads the config at path; checks are the check ids the checks and
// budgets maps may name (checks/all's registry).
func Load(path string, checks []string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if len(data) > MaxSize {
		return nil, &Error{Path: path, Msg: fmt.Sprintf("larger than %d bytes", MaxSize)}
	}
	return Parse(path, data, checks)
}

var (
	yamlLine       = regexp.MustCompile(`line (\d+): (.*)`)
	notFoundInType = regexp.MustCompile(`not found in type config\.\w+`)
)

// Parse parses config bytes; path names the file in errors, checks are the
// known check ids.
func Parse(path string, data []byte, checks []string) (*Config, error) {
	c := Default()
	c.Path = path
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return c, nil // an empty file is the default config
		}
		return nil, yamlError(path, err)
	}
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 && root.Content[0].Kind == yaml.ScalarNode && root.Content[0].Tag == "!!null" {
		return c, nil
	}
	dec = yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		return nil, yamlError(path, err)
	}
	if c.Checks == nil {
		c.Checks = map[string]bool{}
	}
	if err := validate(c, &root, checks); err != nil {
		return nil, err
	}
	return c, nil
}

func yamlError(path string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		err = errors.New(te.Errors[0])
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		detail := notFoundInType.ReplaceAllString(m[2], "is not a known key")
		return &Error{Path: path, Line: line, Msg: detail}
	}
	return &Error{Path: path, Msg: msg}
}

// find returns the node at a key path of the document, for error lines.
func find(root *yaml.Node, keys ...string) *yaml.Node {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, k := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}

func lineOf(root *yaml.Node, keys ...string) int {
	if n := find(root, keys...); n != nil {
		return n.Line
	}
	return 0
}

var advisoryID = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9._:-]+$`)

func validate(c *Config, root *yaml.Node, checks []string) error {
	errAt := func(line int, format string, args ...any) error {
		return &Error{Path: c.Path, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	failOn, err := scanner.ParseFailOn(c.FailOn)
	if err != nil {
		return errAt(lineOf(root, "fail-on"), "%v", err)
	}
	c.FailOn = failOn
	known := map[string]bool{}
	for _, n := range checks {
		known[n] = true
	}
	for _, key := range []string{"checks", "budgets"} {
		if m := find(root, key); m != nil && m.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(m.Content); i += 2 {
				if k := m.Content[i]; !known[k.Value] {
					return errAt(k.Line, "%s: %q is not a known check (known: %s)", key, k.Value, strings.Join(checks, ", "))
				}
			}
		}
	}
	c.budgets = map[string]time.Duration{}
	for name, v := range c.Budgets {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d < time.Second || d > MaxBudget {
			return errAt(lineOf(root, "budgets", name), "budgets.%s: %q is not a duration between 1s and %s (e.g. 90s, 5m)", name, v, MaxBudget)
		}
		c.budgets[name] = d
	}
	knownRegistries := DefaultRegistries()
	for name, u := range c.Registries {
		line := lineOf(root, "registries", name)
		if _, ok := knownRegistries[name]; !ok {
			return errAt(line, "registries: %q is not a known registry", name)
		}
		if u != "" {
			if err := checkURL(u); err != nil {
				return errAt(line, "registries.%s: %v", name, err)
			}
		}
	}
	for name, a := range c.RegistryAuth {
		line := lineOf(root, "registry-auth", name)
		if _, ok := knownRegistries[name]; !ok {
			return errAt(line, "registry-auth: %q is not a known registry", name)
		}
		switch {
		case a.TokenEnv != "" && (a.UsernameEnv != "" || a.PasswordEnv != ""):
			return errAt(line, "registry-auth.%s: token-env and username-env/password-env exclude each other", name)
		case a.TokenEnv == "" && a.UsernameEnv == "" && a.PasswordEnv == "":
			return errAt(line, "registry-auth.%s: name token-env, or username-env and password-env", name)
		}
		for _, v := range []string{a.TokenEnv, a.UsernameEnv, a.PasswordEnv} {
			// The value is not echoed: it may be the credential itself.
			if v != "" && (!envName.MatchString(v) || tokenPrefix.MatchString(v)) {
				return errAt(line, "registry-auth.%s: a value is not an environment variable name (the config names the variable; the credential itself never belongs in a committed file)", name)
			}
		}
	}
	for _, k := range []struct{ name, val string }{{"osv.url", c.OSV.URL}, {"github.api", c.GitHub.API}} {
		if k.val == "" {
			continue
		}
		if err := checkURL(k.val); err != nil {
			keys := strings.Split(k.name, ".")
			return errAt(lineOf(root, keys...), "%s: %v", k.name, err)
		}
	}
	for _, globs := range []struct {
		name string
		list []string
	}{{"exclude", c.Exclude}, {"allow.paths", c.Allow.Paths}} {
		for _, g := range globs.list {
			if !doublestar.ValidatePattern(g) {
				return errAt(lineOf(root, strings.Split(globs.name, ".")...), "%s: %q is not a valid glob", globs.name, g)
			}
		}
	}
	for i, p := range c.Allow.Patterns {
		if _, err := regexp.Compile(p); err != nil {
			line := 0
			if n := find(root, "allow", "patterns"); n != nil && i < len(n.Content) {
				line = n.Content[i].Line
			}
			return errAt(line, "allow.patterns: %q is not a valid RE2 expression: %v", p, err)
		}
	}
	for i, s := range c.Allow.Secrets {
		if !strings.HasPrefix(s, "fingerprint:") || len(s) == len("fingerprint:") {
			line := 0
			if n := find(root, "allow", "secrets"); n != nil && i < len(n.Content) {
				line = n.Content[i].Line
			}
			return errAt(line, "allow.secrets: entries are \"fingerprint:<hex>\", not %q", s)
		}
	}
	for name, v := range c.Thresholds {
		if v < 0 {
			return errAt(lineOf(root, "thresholds", name), "thresholds.%s must not be negative", name)
		}
	}
	ignores := find(root, "ignore")
	for i := range c.Ignore {
		ig := &c.Ignore[i]
		if ignores != nil && i < len(ignores.Content) {
			ig.Line = ignores.Content[i].Line
		}
		switch {
		case ig.ID == "" && ig.Rule == "":
			return errAt(ig.Line, "ignore: an entry needs an id or a rule")
		case ig.ID != "" && !advisoryID.MatchString(ig.ID):
			return errAt(ig.Line, "ignore: %q is not an advisory id", ig.ID)
		case strings.TrimSpace(ig.Reason) == "":
			return errAt(ig.Line, "ignore %s: a reason is required", ig.Describe())
		case ig.Until == "":
			return errAt(ig.Line, "ignore %s: an expiry date (until: YYYY-MM-DD) is required", ig.Describe())
		}
		day, err := time.Parse("2006-01-02", ig.Until)
		if err != nil {
			return errAt(ig.Line, "ignore %s: until %q is not a date (YYYY-MM-DD)", ig.Describe(), ig.Until)
		}
		ig.Expires = day.Add(24*time.Hour - time.Nanosecond)
		if ig.Path != "" && !doublestar.ValidatePattern(ig.Path) {
			return errAt(ig.Line, "ignore %s: %q is not a valid glob", ig.Describe(), ig.Path)
		}
	}
	return nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not a valid URL", redactURL(s))
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", redactURL(s))
	}
	return nil
}
