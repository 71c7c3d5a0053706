package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/checks/all"
	secretscheck "github.com/tollgate-dev/tollgate/checks/secrets"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/osv"
	"github.com/tollgate-dev/tollgate/osv/index"
	"github.com/tollgate-dev/tollgate/osv/snapshot"
	"github.com/tollgate-dev/tollgate/pipeline"
	"github.com/tollgate-dev/tollgate/secrets"
)

// runBaseline writes the fingerprints of every secret found in a sweep of DIR,
// so that a repository can adopt tollgate without failing on old secrets
// (which still need rotating: the baseline only stops them blocking).
func runBaseline(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("baseline", stderr)
	output := fs.String("output", "", "write the baseline to FILE (default DIR/"+pipeline.DefaultBaseline+")")
	configPath := fs.String("config", "", "config file (default DIR/.github/tollgate.yml when present)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	dir := "."
	switch fs.NArg() {
	case 0:
	case 1:
		dir = fs.Arg(0)
	default:
		return usagef("baseline takes one directory")
	}
	cfg, err := pipeline.LoadConfig(*configPath, dir, all.Registry())
	if err != nil {
		return err
	}
	// The same allowlists as every secret scan, and no baseline: a new
	// baseline holds every secret not allowed.
	e, err := secrets.New(secretscheck.EngineOptions(checks.Deps{Config: cfg}))
	if err != nil {
		return usagef("%v", err)
	}
	fsys, closeRoot, err := rootFS(dir)
	if err != nil {
		return usagef("%v", err)
	}
	defer closeRoot()
	res, err := e.ScanFS(ctx, fsys)
	if err != nil {
		return err
	}
	if *output == "" {
		*output = filepath.Join(dir, pipeline.DefaultBaseline)
	}
	if err := writeOutput(*output, stdout, func(w io.Writer) error { return secrets.WriteBaseline(w, res.Matches) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "tollgate: baseline of %d secrets written to %s; they still need rotating\n", len(res.Matches), *output)
	return nil
}

// runDB implements `tollgate db update [--ecosystems a,b] [--for REPO] [--url URL] DIR`.
func runDB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "update" {
		return usagef("usage: tollgate db update [--ecosystems npm,PyPI,...] [--for REPO_DIR] [--url URL] DIR")
	}
	fs := newFlagSet("db update", stderr)
	ecoList := fs.String("ecosystems", "", "comma-separated OSV ecosystems to fetch (default: those of --for, else those already in DIR)")
	forDir := fs.String("for", "", "fetch the ecosystems of the lockfiles in this repository")
	url := fs.String("url", "", "base URL of the exports (default "+osv.DefaultExportURL+")")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("db update takes the database directory")
	}
	var ecos []string
	for _, e := range strings.Split(*ecoList, ",") {
		if e = strings.TrimSpace(e); e != "" {
			ecos = append(ecos, e)
		}
	}
	if *forDir != "" && len(ecos) == 0 {
		inv, err := Inventory(ctx, []string{*forDir}, lockfiles.Limits{})
		if err != nil {
			return err
		}
		ecos = pipeline.Ecosystems(inv.Packages)
	}
	if err := os.MkdirAll(fs.Arg(0), 0o755); err != nil {
		return fmt.Errorf("db update: %w", err)
	}
	results, err := osv.UpdateDB(ctx, *url, fs.Arg(0), ecos)
	for _, r := range results {
		fmt.Fprintf(stdout, "%-16s %-9s %d records, %d bytes\n", r.Ecosystem, r.Status, r.Records, r.Bytes)
	}
	if err != nil {
		return fmt.Errorf("db update: %w", err)
	}
	// The index beside the exports, so that scans decode only the records
	// of the packages they check; an unchanged export keeps its index.
	start := time.Now()
	db, err := index.Open(ctx, fs.Arg(0), index.Options{Beside: true})
	if err != nil {
		return fmt.Errorf("db update: index: %w", err)
	}
	defer db.Close()
	st := db.Stats()
	fmt.Fprintf(stdout, "index: %d sources, %d rebuilt, %d records, %d package names, in %s\n",
		st.Sources, st.Built, st.Records, st.Packages, time.Since(start).Round(time.Millisecond))
	return nil
}

// runVersion prints tollgate's version and the embedded malware snapshot's
// source, date and size.
func runVersion(stdout io.Writer) error {
	fmt.Fprintf(stdout, "tollgate %s\n", pipeline.Version)
	snap, err := snapshot.Load()
	if err != nil {
		return fmt.Errorf("version: %w", err)
	}
	info := snap.Info()
	fmt.Fprintf(stdout, "malware snapshot: %s, %d records (%s), dated %s, %d bytes; data license %s\n",
		info.Source, info.Records, strings.Join(info.Ecosystems, ", "), info.Date, info.Bytes, info.License)
	return nil
}
