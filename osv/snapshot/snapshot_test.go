package snapshot

import (
	"bytes"
	"compress/gzip"
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/osv"
	"github.com/tollgate-dev/tollgate/osv/osvtest"
)

// The binary carries the snapshot within its size budget, with its date.
func TestSnapshotInfo(t *testing.T) {
	db, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	info := db.Info()
	if info.Bytes > 3<<20 || info.Bytes != len(compressed) {
		t.Errorf("snapshot is %d bytes, budget 3 MiB", info.Bytes)
	}
	if len(info.Date) != len("2006-01-02") || info.Records == 0 || !slices.Contains(info.Ecosystems, "npm") || info.License == "" {
		t.Errorf("info %+v", info)
	}
}

// Every live record of the shared malicious data is found in the snapshot
// for a version it names, and a list-only record not for another version.
func TestSnapshotHoldsEveryRecord(t *testing.T) {
	root := shareddata.Path(t, "osv", "malicious")
	db, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	zips, _ := filepath.Glob(filepath.Join(root, "*", "all.zip"))
	var queries []osv.Query
	var want []string
	var unlisted []osv.Query
	for _, z := range zips {
		for _, r := range osvtest.ReadRecords(t, z) {
			for i := range r.Affected {
				a := &r.Affected[i]
				queries = append(queries, osv.Query{Ecosystem: a.Package.Ecosystem, Name: a.Package.Name, Version: a.Sample()})
				want = append(want, r.ID)
				if a.OnlyListed() {
					unlisted = append(unlisted, osv.Query{Ecosystem: a.Package.Ecosystem, Name: a.Package.Name, Version: "9999.0.1"})
				}
			}
		}
	}
	if len(queries) != db.Info().Records {
		t.Logf("%d affected entries for %d records", len(queries), db.Info().Records)
	}
	got, err := db.Lookup(context.Background(), queries)
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for i := range queries {
		if !slices.ContainsFunc(got[i], func(v *osv.Vuln) bool { return v.ID == want[i] && v.IsMalicious() }) {
			if missing++; missing < 10 {
				t.Errorf("%+v: %d records, want %s", queries[i], len(got[i]), want[i])
			}
		}
	}
	got, err = db.Lookup(context.Background(), unlisted)
	if err != nil {
		t.Fatal(err)
	}
	for i, vs := range got {
		for _, v := range vs {
			// Another record of the same name may cover every version.
			if slices.ContainsFunc(v.Affected, func(a osv.Affected) bool {
				return lockfiles.NormalizeName(a.Package.Ecosystem, a.Package.Name) == lockfiles.NormalizeName(unlisted[i].Ecosystem, unlisted[i].Name) && len(a.Ranges) == 0
			}) {
				t.Errorf("%+v matched list-only record %s", unlisted[i], v.ID)
			}
		}
	}
}

func TestSnapshotBadData(t *testing.T) {
	if _, err := load([]byte("not gzip")); err == nil {
		t.Error("not gzip: no error")
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("{\"date\":\"2025-01-01\"}\nb\x00x\t{}\na\x00y\t{}\n"))
	zw.Close()
	db, err := load(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Lookup(context.Background(), []osv.Query{{Ecosystem: "a", Name: "y"}}); err == nil {
		t.Error("unsorted snapshot: no error")
	}
}
