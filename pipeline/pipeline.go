// Package pipeline runs tollgate's flow once: change set -> inventories ->
// delta -> checks -> policy, for a sweep or for a pull request. The CLI and the
// Action both call Run; reporters take its result.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"time"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/checks/all"
	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/diff"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
)

// Options say what to scan.
type Options struct {
	// ChangeSet is the change to judge; a directory change set (diff.FromDirectory)
	// makes a sweep.
	ChangeSet *diff.ChangeSet
	// Parsers are the lockfile formats (lockfiles/all.Parsers()).
	Parsers []lockfiles.Parser
	// Registry lists the checks (nil: checks/all.Registry()); Deps are what
	// their constructors share (Deps.Config is set from Config).
	Registry checks.Registry
	Deps     checks.Deps
	Config   *config.Config
	Limits   lockfiles.Limits
	// Grace is how long a check may overrun its budget (0: scanner.DefaultGrace).
	Grace time.Duration
	// Now is the policy clock; zero means time.Now.
	Now time.Time
}

// Result is one scan's outcome.
type Result struct {
	Report    *scanner.Result
	Inventory *lockfiles.Inventory
	Changes   []lockfiles.Change
}

// Run runs the flow. The returned error means the scan did not complete;
// Result is still filled with what could be found.
func Run(ctx context.Context, o Options) (*Result, error) {
	cs := o.ChangeSet
	if cs == nil || cs.HeadFS == nil {
		return nil, fmt.Errorf("pipeline: no change set")
	}
	cfg := o.Config
	if cfg == nil {
		cfg = config.Default()
	}
	in := &scanner.Input{FS: cs.HeadFS, Offline: o.Deps.Offline}
	var inv *lockfiles.Inventory
	var changes []lockfiles.Change
	if cs.Source == diff.SourceDirectory {
		var err error
		inv, err = lockfiles.Discover(ctx, cs.HeadFS, o.Parsers, lockfiles.DiscoverOptions{Limits: o.Limits, Exclude: cfg.Excluded})
		if err != nil {
			return nil, fmt.Errorf("scan: %w", err)
		}
		in.Mode = scanner.ModeSweep
		in.Packages = inv.Packages
	} else {
		var baseInv *lockfiles.Inventory
		inv, baseInv = changedInventories(ctx, cs, o.Parsers, o.Limits, cfg)
		changes = lockfiles.Delta(baseInv.Packages, inv.Packages, renames(cs))
		in.Mode = scanner.ModePullRequest
		in.Changes = changes
		in.Packages = introduced(changes, baseInv)
		in.Added = addedLines(cs, cfg)
		for _, f := range cs.Files {
			if f.Status == diff.StatusDeleted || cfg.Excluded(f.Path) {
				continue
			}
			in.Changed = append(in.Changed, f.Path)
			if f.TooLarge && !f.Lockfile {
				in.TooLarge = append(in.TooLarge, f.Path)
			}
		}
	}
	in.Inventory = inv

	reg := o.Registry
	if reg == nil {
		reg = all.Registry()
	}
	deps := o.Deps
	deps.Config = cfg
	if deps.Now == nil {
		deps.Now = func() time.Time {
			if o.Now.IsZero() {
				return time.Now()
			}
			return o.Now
		}
	}
	if deps.Ecosystems == nil {
		deps.Ecosystems = Ecosystems(in.Packages)
	}
	if deps.Registries == nil {
		// One set of registry clients for the run: the checks that ask a
		// registry about the same package share one request.
		deps.Registries = checks.NewRegistrySet(deps)
	}
	built, disabled, budgets, err := reg.Build(ctx, deps)
	if err != nil {
		if errors.Is(err, checks.ErrSettings) {
			return nil, &UsageError{err}
		}
		return nil, err
	}
	res, runErr := scanner.Run(ctx, built, in, scanner.RunOptions{
		Env:     scanner.Environment{Offline: deps.Offline, GitHubToken: deps.GitHubToken != "", Registries: registries(cfg)},
		Budgets: budgets,
		Grace:   o.Grace,
	})
	if in.Mode == scanner.ModePullRequest {
		res.Findings = onAddedLines(res.Findings, cs, inv)
	}
	res.Findings = scanner.MergeLocations(res.Findings)
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	policy := cfg.Apply(res.Findings, now)
	res.Mode = in.Mode
	res.Lockfiles = len(inv.Files)
	res.Packages = len(inv.Packages)
	res.Findings = policy.Kept
	res.Disabled = append(disabled, res.Disabled...)
	res.Errors = inv.Errors
	res.Notes = append(append([]string{}, cs.Notes...), policy.Notes...)
	if in.Mode == scanner.ModePullRequest {
		res.Source = cs.Source
	}
	if len(policy.Suppressed) > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d findings suppressed by ignores and allowlists in %s", len(policy.Suppressed), cfg.Path))
	}
	return &Result{Report: res, Inventory: inv, Changes: changes}, runErr
}

// registries are the registry base URLs the config gives, for checks that
// need one: the public default where it sets none.
func registries(cfg *config.Config) map[string]string {
	out := map[string]string{}
	for name, def := range config.DefaultRegistries() {
		out[name] = def
		if u := cfg.Registries[name]; u != "" {
			out[name] = u
		}
	}
	return out
}

// changedInventories parses the lockfiles a change touches, on both sides.
// A changed go.sum re-reads its go.mod (whose packages carry go.sum's hashes).
func changedInventories(ctx context.Context, cs *diff.ChangeSet, parsers []lockfiles.Parser, limits lockfiles.Limits, cfg *config.Config) (head, base *lockfiles.Inventory) {
	headFiles := map[string]lockfiles.Parser{}
	baseFiles := map[string]lockfiles.Parser{}
	match := func(p string) lockfiles.Parser { return matchParser(parsers, p) }
	add := func(files map[string]lockfiles.Parser, fsys fs.FS, p string) {
		if fsys == nil || p == "" || cfg.Excluded(p) {
			return
		}
		if path.Base(p) == "go.sum" {
			p = path.Join(path.Dir(p), "go.mod")
			if _, err := fs.Stat(fsys, p); err != nil {
				return
			}
		}
		if pr := match(p); pr != nil {
			files[p] = pr
		}
	}
	includers := map[lockfiles.Parser]bool{}
	for _, f := range cs.Files {
		if f.Status != diff.StatusDeleted {
			add(headFiles, cs.HeadFS, f.Path)
		}
		if f.Status != diff.StatusAdded {
			basePath := f.Path
			if f.OldPath != "" {
				basePath = f.OldPath
			}
			add(baseFiles, cs.BaseFS, basePath)
		}
		if match(f.Path) == nil && !cfg.Excluded(f.Path) {
			for _, pr := range parsers {
				if inc, ok := pr.(lockfiles.Includer); ok && inc.MayInclude(f.Path) {
					includers[pr] = true
				}
			}
		}
	}
	// A changed file no format matches may still be another file's include
	// (constraints.txt read through -c): then every file of that format is
	// read on both sides, and the delta holds what the include changed.
	// Unchanged files give no delta; the cost is one walk of each tree.
	var walkErrs []*lockfiles.FileError
	if len(includers) > 0 {
		var list []lockfiles.Parser
		for _, pr := range parsers {
			if includers[pr] {
				list = append(list, pr)
			}
		}
		for _, side := range []struct {
			fsys  fs.FS
			files map[string]lockfiles.Parser
		}{{cs.HeadFS, headFiles}, {cs.BaseFS, baseFiles}} {
			if side.fsys == nil {
				continue
			}
			found, err := lockfiles.Find(ctx, side.fsys, list, cfg.Excluded)
			if err != nil {
				err = fmt.Errorf("find the files that may include a changed file: %w", err)
				walkErrs = append(walkErrs, &lockfiles.FileError{Path: ".", Err: err, Message: err.Error()})
			}
			for _, f := range found {
				side.files[f.Path] = f.Parser
			}
		}
	}
	parse := func(fsys fs.FS, files map[string]lockfiles.Parser) *lockfiles.Inventory {
		list := make([]lockfiles.File, 0, len(files))
		for p, pr := range files {
			list = append(list, lockfiles.File{Path: p, Parser: pr})
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Path < list[j].Path })
		if fsys == nil || len(list) == 0 {
			return &lockfiles.Inventory{}
		}
		return lockfiles.ParseFiles(ctx, fsys, list, lockfiles.DiscoverOptions{Limits: limits})
	}
	head = parse(cs.HeadFS, headFiles)
	head.Errors = append(head.Errors, walkErrs...)
	return head, parse(cs.BaseFS, baseFiles)
}

func renames(cs *diff.ChangeSet) map[string]string {
	m := map[string]string{}
	for _, f := range cs.Files {
		if f.Status == diff.StatusRenamed && f.OldPath != "" {
			m[f.Path] = f.OldPath
		}
	}
	return m
}

// introduced returns the head packages a change adds, updates or re-hashes.
// A name@version the base already held anywhere in its inventory is not new
// when added or updated at another place (npm hoisting it to another
// node_modules path, a workspace lockfile gaining a package another lockfile
// already locks): what was already installed is not introduced by the
// change. A re-hashed entry always counts: the same version with another
// artifact is what tampering looks like.
func introduced(changes []lockfiles.Change, base *lockfiles.Inventory) []lockfiles.Package {
	type nv struct{ eco, name, version string }
	had := map[nv]bool{}
	if base != nil {
		for _, p := range base.Packages {
			had[nv{p.Ecosystem, lockfiles.NormalizeName(p.Ecosystem, p.Name), p.Version}] = true
		}
	}
	var out []lockfiles.Package
	for _, c := range changes {
		p := c.Package
		switch c.Kind {
		case lockfiles.ChangeRemoved:
			continue
		case lockfiles.ChangeAdded, lockfiles.ChangeUpdated:
			if had[nv{p.Ecosystem, lockfiles.NormalizeName(p.Ecosystem, p.Name), p.Version}] {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

func addedLines(cs *diff.ChangeSet, cfg *config.Config) []scanner.FileLines {
	var out []scanner.FileLines
	for _, f := range cs.Files {
		if len(f.Added) == 0 || cfg.Excluded(f.Path) {
			continue
		}
		fl := scanner.FileLines{Path: f.Path, Lines: make([]scanner.Line, len(f.Added))}
		for i, l := range f.Added {
			fl.Lines[i] = scanner.Line{Number: l.Number, Text: l.Text}
		}
		out = append(out, fl)
	}
	return out
}

// onAddedLines moves each finding in a changed file onto a line the change
// added: GitHub shows an alert on a pull request only when its line is part of
// the diff, and a lockfile entry's first line (its key) often stays while the
// version line below it changes. A finding moves to the first added line
// inside its entry (up to the next entry of the same file); one with no added
// line in its entry stays where it is.
func onAddedLines(findings []scanner.Finding, cs *diff.ChangeSet, inv *lockfiles.Inventory) []scanner.Finding {
	added := map[string][]int{}
	for _, f := range cs.Files {
		for _, l := range f.Added {
			added[f.Path] = append(added[f.Path], l.Number)
		}
	}
	starts := map[string][]int{}
	for _, p := range inv.Packages {
		starts[p.Path] = append(starts[p.Path], p.Line)
	}
	for p := range starts {
		sort.Ints(starts[p])
	}
	for i := range findings {
		f := &findings[i]
		lines := added[f.Path]
		if len(lines) == 0 || f.Line <= 0 {
			continue
		}
		j := sort.SearchInts(lines, f.Line)
		if j < len(lines) && lines[j] == f.Line {
			continue
		}
		end := int(^uint(0) >> 1)
		if s := starts[f.Path]; len(s) > 0 {
			if k := sort.SearchInts(s, f.Line+1); k < len(s) {
				end = s[k]
			}
		}
		if j < len(lines) && lines[j] < end {
			f.Line = lines[j]
		}
	}
	return findings
}
