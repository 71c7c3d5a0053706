// Package cli implements tollgate's command line: it parses flags, builds the
// scan, runs it and maps the outcome to exit codes (DESIGN.md, CLI contract).
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
	lockfilesall "github.com/tollgate-dev/tollgate/lockfiles/all"
	"github.com/tollgate-dev/tollgate/pipeline"
	"github.com/tollgate-dev/tollgate/report"
)

// usagef is bad usage: exit code 2.
func usagef(format string, args ...any) error { return pipeline.Usagef(format, args...) }

const usage = `tollgate guards pull requests against supply-chain attacks.

Usage:
  tollgate scan [flags] [DIR | LOCKFILE]      sweep DIR (default .): every lockfile, every file; or one lockfile
  tollgate scan --base REV [--head REV] [DIR] pull-request mode: only what changed
  tollgate inventory [--format json|table] [PATH...]
  tollgate baseline [--output FILE] [DIR]      accept the secrets DIR holds today (they still need rotating)
  tollgate db update [--ecosystems a,b] [--for REPO] DIR   fetch OSV exports for offline scans
  tollgate version

Run "tollgate scan -h" for the scan flags.
`

// Main runs the command line with args (without the program name) and
// returns the exit code (pipeline.Exit*).
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return pipeline.ExitUsage
	}
	var err error
	code := pipeline.ExitOK
	switch args[0] {
	case "scan":
		code, err = runScan(ctx, args[1:], stdout, stderr)
	case "inventory":
		err = runInventory(ctx, args[1:], stdout, stderr)
	case "baseline":
		err = runBaseline(ctx, args[1:], stdout, stderr)
	case "db":
		err = runDB(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		err = runVersion(stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		err = usagef("unknown command %q%s (run \"tollgate help\" for the commands)", args[0], suggest(args[0], commands))
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return pipeline.ExitOK
		}
		fmt.Fprintf(stderr, "tollgate: %v\n", err)
		return pipeline.ExitCode(err)
	}
	return code
}

// commands are the sub-commands, for suggestions.
var commands = []string{"scan", "inventory", "baseline", "db", "version", "help"}

// suggest returns ` (did you mean "x"?)` for the candidate nearest to word
// (at most two edits away), or "".
func suggest(word string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(word), c); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance of a and b, by bytes (command
// and flag names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// newFlagSet returns a flag set that reports errors as usage errors, once:
// the flag package's own message and defaults are not printed; -h prints
// the flags (written with two dashes) to stderr.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Flags of tollgate %s:\n", name)
		fs.VisitAll(func(f *flag.Flag) {
			kind, help := flag.UnquoteUsage(f)
			if kind != "" {
				kind = " " + kind
			}
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
				help += " (default " + f.DefValue + ")"
			}
			fmt.Fprintf(stderr, "  --%s%s\n        %s\n", f.Name, kind, help)
		})
	}
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	// Go's flag package stops at the first positional argument; allow flags
	// after paths too ("tollgate inventory DIR --format json").
	var flagArgs, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			flagArgs = append(flagArgs, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") {
				if f := fs.Lookup(name); f != nil {
					if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !bf.IsBoolFlag() {
						if i+1 < len(args) {
							flagArgs = append(flagArgs, args[i+1])
							i++
						}
					}
				}
			}
			continue
		}
		positional = append(positional, a)
	}
	// The flag package prints the usage on every parse error; only -h
	// should (an error is said once, by Main).
	printHelp := fs.Usage
	fs.Usage = func() {}
	if err := fs.Parse(append(flagArgs, append([]string{"--"}, positional...)...)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printHelp()
			return err
		}
		msg := err.Error()
		if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
			var names []string
			fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
			msg = fmt.Sprintf("unknown flag --%s%s", name, suggest(name, names))
		}
		return usagef("%s (run \"tollgate %s -h\" for the flags)", msg, fs.Name())
	}
	return nil
}

func runInventory(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("inventory", stderr)
	format := fs.String("format", "table", "output format: json or table")
	output := fs.String("output", "", "write the report to FILE instead of standard output")
	maxSize := fs.Int64("max-file-size", lockfiles.DefaultMaxFileSize, "skip (and report) lockfiles larger than this many bytes")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "json" && *format != "table" {
		return usagef("--format must be json or table, not %q", *format)
	}
	tuneInventoryGC(os.Getenv)
	paths := fs.Args()
	if len(paths) == 0 {
		paths = []string{"."}
	}
	inv, err := Inventory(ctx, paths, lockfiles.Limits{MaxFileSize: *maxSize})
	if err != nil {
		return err
	}
	return writeOutput(*output, stdout, func(w io.Writer) error {
		if *format == "json" {
			return report.InventoryJSON(w, inv)
		}
		return report.InventoryTable(w, inv)
	})
}

// Inventory reads the lockfiles at paths: a directory is walked, a file is
// parsed with the parser that matches its name (or reported when none does).
// Package paths are relative to the directory given (or to a file's directory).
func Inventory(ctx context.Context, paths []string, limits lockfiles.Limits) (*lockfiles.Inventory, error) {
	parsers := lockfilesall.Parsers()
	merged := &lockfiles.Inventory{}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, usagef("%v", err)
		}
		var inv *lockfiles.Inventory
		if st.IsDir() {
			fsys, closeRoot, err := rootFS(p)
			if err != nil {
				return nil, err
			}
			inv, err = lockfiles.Discover(ctx, fsys, parsers, lockfiles.DiscoverOptions{Limits: limits})
			closeRoot()
			if err != nil {
				return nil, fmt.Errorf("inventory %s: %w", p, err)
			}
		} else {
			dir, base := filepath.Split(p)
			if dir == "" {
				dir = "."
			}
			var match lockfiles.Parser
			for _, pr := range parsers {
				if pr.Match(base) || pr.Match(filepath.ToSlash(p)) {
					match = pr
					break
				}
			}
			if match == nil {
				return nil, usagef("%s: not a supported lockfile name", p)
			}
			fsys, closeRoot, err := rootFS(dir)
			if err != nil {
				return nil, err
			}
			inv = lockfiles.ParseFiles(ctx, fsys, []lockfiles.File{{Path: base, Parser: match}}, lockfiles.DiscoverOptions{Limits: limits})
			closeRoot()
		}
		merged.Files = append(merged.Files, inv.Files...)
		merged.Packages = append(merged.Packages, inv.Packages...)
		merged.Errors = append(merged.Errors, inv.Errors...)
	}
	lockfiles.SortPackages(merged.Packages)
	return merged, nil
}

// rootFS opens dir as an fs.FS confined to it: symlinks that lead out of
// the tree (a requirements include, a planted lockfile link) fail instead of
// reading files elsewhere on the machine.
func rootFS(dir string) (fs.FS, func(), error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", dir, err)
	}
	return root.FS(), func() { root.Close() }, nil
}

// writeOutput runs write against FILE (created) or stdout when file is "".
func writeOutput(file string, stdout io.Writer, write func(io.Writer) error) error {
	if file == "" {
		return write(stdout)
	}
	f, err := os.Create(file)
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

// tuneInventoryGC sets the collector for `tollgate inventory`, a short-lived
// process whose heap is only the lockfiles being read: collect at 4x the live
// heap instead of 2x, under a 72 MiB soft limit. Measured with
// bench/inventory: TanStack's 1.6 MB pnpm lockfile 152 -> 117 ms, the whole
// shared corpus 419 -> 340 ms at 79 MB peak RSS (83 MB untuned). Not for
// scan: with an OSV database loaded the live heap passes any such limit, and
// a 100,000-record load took 4.4 s instead of 2.1 s under one. GOGC or
// GOMEMLIMIT in the environment wins. It sets process-wide state, so only
// the inventory command calls it, once, before reading anything.
func tuneInventoryGC(getenv func(string) string) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(300)
	debug.SetMemoryLimit(72 << 20)
}
