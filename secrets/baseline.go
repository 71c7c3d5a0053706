package secrets

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
)

// baselineVersion is the format version WriteBaseline writes.
const baselineVersion = 1

// Baseline is a set of accepted secret fingerprints (written by
// `tollgate baseline`); matches whose fingerprint it holds are suppressed.
type Baseline struct {
	fingerprints map[string]bool
}

// baselineFile is the JSON form: fingerprints with enough context for review,
// never the secret.
type baselineFile struct {
	Version int             `json:"version"`
	Entries []baselineEntry `json:"secrets"`
}

type baselineEntry struct {
	Fingerprint string `json:"fingerprint"`
	RuleID      string `json:"rule_id"`
	Path        string `json:"path"`
	Redacted    string `json:"redacted"`
}

// Contains reports whether fp is in the baseline (false for a nil baseline).
func (b *Baseline) Contains(fp string) bool {
	return b != nil && b.fingerprints[fp]
}

// Len is the number of fingerprints in the baseline.
func (b *Baseline) Len() int {
	if b == nil {
		return 0
	}
	return len(b.fingerprints)
}

// WriteBaseline writes the fingerprints of matches as JSON, sorted and
// deduplicated, so that the file diffs cleanly.
func WriteBaseline(w io.Writer, matches []Match) error {
	seen := map[string]bool{}
	f := baselineFile{Version: baselineVersion, Entries: []baselineEntry{}}
	for _, m := range matches {
		if seen[m.Fingerprint] {
			continue
		}
		seen[m.Fingerprint] = true
		f.Entries = append(f.Entries, baselineEntry{m.Fingerprint, m.RuleID, m.Path, m.Redacted})
	}
	sort.Slice(f.Entries, func(i, j int) bool {
		a, b := f.Entries[i], f.Entries[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.Fingerprint < b.Fingerprint
	})
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("write secrets baseline: %w", err)
	}
	return nil
}

// LoadBaseline reads a baseline written by WriteBaseline.
func LoadBaseline(r io.Reader) (*Baseline, error) {
	var f baselineFile
	dec := json.NewDecoder(r)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("read secrets baseline: %w", err)
	}
	if f.Version != baselineVersion {
		return nil, fmt.Errorf("read secrets baseline: unsupported version %d", f.Version)
	}
	b := &Baseline{fingerprints: make(map[string]bool, len(f.Entries))}
	for i, e := range f.Entries {
		if e.Fingerprint == "" {
			return nil, fmt.Errorf("read secrets baseline: entry %d has no fingerprint", i)
		}
		b.fingerprints[e.Fingerprint] = true
	}
	return b, nil
}

// AddedTo counts the fingerprints b holds that base does not: the secrets a
// changed baseline newly accepts.
func (b *Baseline) AddedTo(base *Baseline) int {
	n := 0
	if b == nil {
		return 0
	}
	for fp := range b.fingerprints {
		if !base.Contains(fp) {
			n++
		}
	}
	return n
}
