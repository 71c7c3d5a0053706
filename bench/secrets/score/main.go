// Command score compares a secret scanner's findings with the ground truth
// gen wrote: recall on the planted secrets and false alarms (findings on no
// planted line). It reads tollgate JSON ({"findings": [...]} or JSON lines)
// and gitleaks JSON reports.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type truth struct {
	Path      string `json:"path"`
	StartLine int    `json:"start_line"`
	EndLine   int    `json:"end_line"`
	RuleID    string `json:"rule_id"`
}

// finding is the common shape of both tools' findings.
type finding struct {
	Path string
	Line int
	Rule string
}

func main() {
	truthPath := flag.String("truth", "", "ground truth from gen")
	format := flag.String("format", "tollgate", "tollgate or gitleaks")
	root := flag.String("root", "", "corpus directory (stripped from paths)")
	flag.Parse()
	if *truthPath == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: score -truth FILE -format tollgate|gitleaks -root DIR REPORT")
		os.Exit(2)
	}
	truths, err := readTruth(*truthPath)
	if err != nil {
		fail(err)
	}
	data, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	var fs []finding
	if *format == "gitleaks" {
		fs, err = readGitleaks(data, *root)
	} else {
		fs, err = readTollgate(data, *root)
	}
	if err != nil {
		fail(err)
	}
	byPath := map[string][]int{}
	for i, t := range truths {
		byPath[t.Path] = append(byPath[t.Path], i)
	}
	hit := make([]bool, len(truths))
	falseAlarms := 0
	faRules := map[string]int{}
	for _, f := range fs {
		matched := false
		for _, i := range byPath[f.Path] {
			t := truths[i]
			if f.Line >= t.StartLine && f.Line <= t.EndLine {
				hit[i] = true
				matched = true
			}
		}
		if !matched {
			falseAlarms++
			faRules[f.Rule]++
		}
	}
	found := 0
	missed := map[string]int{}
	for i, h := range hit {
		if h {
			found++
		} else {
			missed[truths[i].RuleID]++
		}
	}
	// One machine-readable line for run.sh, then details.
	fmt.Printf("planted=%d found=%d recall=%.4f false_alarms=%d findings=%d\n",
		len(truths), found, float64(found)/float64(len(truths)), falseAlarms, len(fs))
	fmt.Fprintf(os.Stderr, "  false alarms by rule: %s\n", top(faRules, 8))
	fmt.Fprintf(os.Stderr, "  missed planted rules: %d kinds, e.g. %s\n", len(missed), top(missed, 8))
}

func top(m map[string]int, n int) string {
	type kv struct {
		k string
		v int
	}
	var kvs []kv
	for k, v := range m {
		kvs = append(kvs, kv{k, v})
	}
	sort.Slice(kvs, func(i, j int) bool {
		if kvs[i].v != kvs[j].v {
			return kvs[i].v > kvs[j].v
		}
		return kvs[i].k < kvs[j].k
	})
	var parts []string
	for i, e := range kvs {
		if i == n {
			break
		}
		parts = append(parts, fmt.Sprintf("%s=%d", e.k, e.v))
	}
	return strings.Join(parts, " ")
}

func readTruth(p string) ([]truth, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var ts []truth
	dec := json.NewDecoder(bytes.NewReader(data))
	for dec.More() {
		var t truth
		if err := dec.Decode(&t); err != nil {
			return nil, fmt.Errorf("truth: %w", err)
		}
		ts = append(ts, t)
	}
	return ts, nil
}

func rel(root, p string) string {
	p = filepath.ToSlash(p)
	if root != "" {
		p = strings.TrimPrefix(p, filepath.ToSlash(filepath.Clean(root))+"/")
	}
	return strings.TrimPrefix(p, "./")
}

func readTollgate(data []byte, root string) ([]finding, error) {
	type tf struct {
		RuleID string `json:"rule_id"`
		Path   string `json:"path"`
		Line   int    `json:"line"`
	}
	var out []finding
	var doc struct {
		Findings []tf `json:"findings"`
	}
	if err := json.Unmarshal(data, &doc); err == nil && doc.Findings != nil {
		for _, f := range doc.Findings {
			if strings.HasPrefix(f.RuleID, "secret/") {
				out = append(out, finding{rel(root, f.Path), f.Line, f.RuleID})
			}
		}
		return out, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for dec.More() {
		var f tf
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("tollgate report: %w", err)
		}
		out = append(out, finding{rel(root, f.Path), f.Line, f.RuleID})
	}
	return out, nil
}

func readGitleaks(data []byte, root string) ([]finding, error) {
	var gs []struct {
		RuleID    string `json:"RuleID"`
		File      string `json:"File"`
		StartLine int    `json:"StartLine"`
	}
	if err := json.Unmarshal(data, &gs); err != nil {
		return nil, fmt.Errorf("gitleaks report: %w", err)
	}
	out := make([]finding, 0, len(gs))
	for _, g := range gs {
		out = append(out, finding{rel(root, g.File), g.StartLine, g.RuleID})
	}
	return out, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "score:", err)
	os.Exit(1)
}
