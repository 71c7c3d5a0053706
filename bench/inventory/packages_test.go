package main

import (
	"os"
	"testing"
)

func TestDecodePeer(t *testing.T) {
	data, err := os.ReadFile("testdata/peer.json")
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := decodePeer(data, "/corpus")
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 4 {
		t.Fatalf("got %d packages, want 4", len(pkgs))
	}
	want := pkg{ecosystem: "npm", name: "lodash", version: "4.17.21", path: "package-lock-json/demo/package-lock.json"}
	if pkgs[2] != want {
		t.Errorf("pkgs[2] = %+v, want %+v", pkgs[2], want)
	}
	if got := countFiles(pkgs); got != 2 {
		t.Errorf("countFiles = %d, want 2", got)
	}
	if _, err := decodePeer([]byte(`{"results": [`), "/corpus"); err == nil {
		t.Error("truncated output decoded without error")
	}
}

func TestDiffPackages(t *testing.T) {
	const uv, npm = "uv-lock/demo/uv.lock", "package-lock-json/demo/package-lock.json"
	data, err := os.ReadFile("testdata/peer.json")
	if err != nil {
		t.Fatal(err)
	}
	peer, err := decodePeer(data, "/corpus")
	if err != nil {
		t.Fatal(err)
	}
	tollgate := []pkg{
		// PEP 503 spelling differs from the peer's: the same package.
		{ecosystem: "PyPI", name: "typing-extensions", version: "4.12.2", path: uv},
		{ecosystem: "PyPI", name: "requests", version: "2.32.3", path: uv},
		{ecosystem: "PyPI", name: "demo", version: "0.1.0", path: uv, source: "local"},
		{ecosystem: "npm", name: "lodash", version: "4.17.21", path: npm},
		{ecosystem: "npm", name: "lodash", version: "4.17.21", path: npm},
		{ecosystem: "npm", name: "chalk", version: "5.3.0", path: npm},
	}
	d := diffPackages(tollgate, peer)
	counts := map[string]int{}
	for r, ps := range d.onlyTollgate {
		counts["tollgate "+r] = len(ps)
	}
	for r, ps := range d.onlyPeer {
		counts["peer "+r] = len(ps)
	}
	want := map[string]int{"tollgate local": 1, "tollgate duplicate": 1, "tollgate registry": 1, "peer no version": 1}
	if len(counts) != len(want) {
		t.Errorf("reasons = %v, want %v", counts, want)
	}
	for r, n := range want {
		if counts[r] != n {
			t.Errorf("%s: %d entries, want %d (all: %v)", r, counts[r], n, counts)
		}
	}
	if d.empty() {
		t.Error("diff reported empty")
	}
	if !diffPackages(tollgate[:2], peer[:2]).empty() {
		t.Error("identical inputs reported a difference")
	}
	goTG := []pkg{{ecosystem: "Go", name: "golang.org/x/mod", version: "v0.43.0"}, {ecosystem: "Packagist", name: "a/b", version: "4.6.0"}}
	goPeer := []pkg{{ecosystem: "Go", name: "golang.org/x/mod", version: "0.43.0"}, {ecosystem: "Packagist", name: "a/b", version: "v4.6.0"}}
	if d := diffPackages(goTG, goPeer); !d.empty() {
		t.Errorf("v-prefixed Go and Packagist versions differ: %+v", d)
	}
	if d := diffPackages(goTG[:1], []pkg{{ecosystem: "Go", name: "golang.org/x/mod", version: "0.42.0"}}); d.empty() {
		t.Error("different Go versions compared equal")
	}
}
