package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/secrets"
)

// DefaultBaseline is where `tollgate baseline` writes and a scan looks, in
// the repository root.
const DefaultBaseline = ".tollgate-baseline.json"

// maxBaselineSize bounds a secrets baseline file.
const maxBaselineSize = 16 << 20

// policyFile is one policy file (config or baseline) as a request names it:
// a path inside the repository, read from a tree, or a file outside it,
// read from disk.
type policyFile struct {
	// repoPath is the slash-separated path inside the repository ("" for a
	// file outside it).
	repoPath string
	// diskPath is the file outside the repository.
	diskPath string
	// named says the request named it (an error when absent); a default
	// file may be missing.
	named bool
}

// locate places file (as given: relative to the working directory, or
// absolute) against the repository at dir; "" means def inside it.
func locate(file, dir, def string) policyFile {
	if file == "" {
		return policyFile{repoPath: def}
	}
	absDir, err1 := filepath.Abs(dir)
	absFile, err2 := filepath.Abs(file)
	if err1 == nil && err2 == nil {
		if rel, err := filepath.Rel(absDir, absFile); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return policyFile{repoPath: filepath.ToSlash(rel), named: true}
		}
	}
	return policyFile{diskPath: file, named: true}
}

// describe names the file for messages and config errors.
func (f policyFile) describe() string {
	if f.repoPath != "" {
		return f.repoPath
	}
	return f.diskPath
}

// read returns the file's bytes from tree (or from disk for a file outside
// the repository), at most limit bytes; ok=false when a default file is
// absent. A symbolic link is refused: a policy file must be a regular file
// of the tree it governs, and a link could make the scan echo any file.
func (f policyFile) read(tree fs.FS, limit int64) ([]byte, bool, error) {
	if f.repoPath == "" {
		r, err := os.Open(f.diskPath)
		if err != nil {
			return nil, false, err
		}
		defer r.Close()
		b, err := readLimited(r, limit, f.diskPath)
		return b, err == nil, err
	}
	if tree == nil {
		return nil, false, nil
	}
	var fi fs.FileInfo
	var err error
	if lt, ok := tree.(fs.ReadLinkFS); ok {
		fi, err = lt.Lstat(f.repoPath)
	} else {
		fi, err = fs.Stat(tree, f.repoPath)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist) && !f.named:
		return nil, false, nil
	case err != nil:
		return nil, false, err
	case fi.Mode()&fs.ModeSymlink != 0:
		return nil, false, fmt.Errorf("%s is a symbolic link: a policy file must be a regular file", f.repoPath)
	case !fi.Mode().IsRegular():
		return nil, false, fmt.Errorf("%s is not a regular file", f.repoPath)
	case fi.Size() > limit:
		return nil, false, fmt.Errorf("%s is larger than %d bytes", f.repoPath, limit)
	}
	r, err := tree.Open(f.repoPath)
	if err != nil {
		return nil, false, err
	}
	defer r.Close()
	b, err := readLimited(r, limit, f.repoPath)
	return b, err == nil, err
}

// readLimited reads r, failing beyond limit bytes.
func readLimited(r io.Reader, limit int64, name string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = fmt.Errorf("%s is larger than %d bytes", name, limit)
	}
	return b, err
}

// loadConfigFile reads the config f names from tree; the default config
// when it is absent.
func loadConfigFile(f policyFile, tree fs.FS, reg checks.Registry) (*config.Config, error) {
	data, ok, err := f.read(tree, config.MaxSize)
	if err != nil {
		return nil, Usagef("config %s: %v", f.describe(), err)
	}
	if !ok {
		return config.Default(), nil
	}
	cfg, err := config.Parse(f.describe(), data, reg.IDs())
	if err != nil {
		return nil, &UsageError{err}
	}
	return cfg, nil
}

// loadBaselineFile reads the baseline f names from tree; nil when absent.
func loadBaselineFile(f policyFile, tree fs.FS) (*secrets.Baseline, error) {
	data, ok, err := f.read(tree, maxBaselineSize)
	if err != nil {
		return nil, Usagef("baseline %s: %v", f.describe(), err)
	}
	if !ok {
		return nil, nil
	}
	b, err := secrets.LoadBaseline(bytes.NewReader(data))
	if err != nil {
		return nil, Usagef("baseline %s: %v", f.describe(), err)
	}
	return b, nil
}

// LoadConfig reads the config at file, or dir/.github/tollgate.yml when file
// is "" and that exists, or returns the default, from disk (through
// os.Root for files inside dir). The checks and budgets maps are validated
// against reg's ids. Errors are usage errors naming the file and line.
func LoadConfig(file, dir string, reg checks.Registry) (*config.Config, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, Usagef("config: %v", err)
	}
	defer root.Close()
	f := locate(file, dir, config.DefaultPath)
	cfg, err := loadConfigFile(f, root.FS(), reg)
	if err == nil && f.repoPath != "" && cfg.Path != "" {
		cfg.Path = filepath.Join(dir, filepath.FromSlash(f.repoPath))
	}
	return cfg, err
}

// ApplyChecks replaces the config's checks map with a comma-separated list
// of check ids (the Action's checks input): the listed checks on, every
// other one off. An unknown id is a usage error.
func ApplyChecks(cfg *config.Config, list string, reg checks.Registry) error {
	if strings.TrimSpace(list) == "" {
		return nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if _, ok := reg.Lookup(n); !ok {
			return Usagef("checks: %q is not a known check (known: %s)", n, strings.Join(reg.IDs(), ", "))
		}
		want[n] = true
	}
	cfg.Checks = map[string]bool{}
	cfg.ChecksSetBy = "the checks input"
	for _, id := range reg.IDs() {
		cfg.Checks[id] = want[id]
	}
	return nil
}

// LockfileMatcher returns a function telling whether a path is a lockfile any
// parser reads, or a go.sum (whose go.mod carries its hashes).
func LockfileMatcher(parsers []lockfiles.Parser) func(string) bool {
	return func(p string) bool {
		if path.Base(p) == "go.sum" {
			return true
		}
		return matchParser(parsers, p) != nil
	}
}

// MatchLockfile returns the first parser that reads the file at p, or nil.
func MatchLockfile(parsers []lockfiles.Parser, p string) lockfiles.Parser {
	return matchParser(parsers, p)
}

// matchParser returns the first parser that reads p, or nil.
func matchParser(parsers []lockfiles.Parser, p string) lockfiles.Parser {
	for _, pr := range parsers {
		if pr.Match(p) {
			return pr
		}
	}
	return nil
}
