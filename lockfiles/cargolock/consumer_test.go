package cargolock

import (
	"testing"

	lt "github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

// cargo195 is the tool behind the expectations below: cargo 1.95.0
// `cargo metadata --offline --format-version 1` in a crate "m" without
// dependencies, beside each Cargo.lock (cargo reads the lock with the toml
// crate before it resolves anything; nothing of the crate is built or run).
const cargo195 = "cargo 1.95.0 metadata --offline"

const cargoBase = "version = 3\n\n[[package]]\nname = \"m\"\nversion = \"0.1.0\"\n"

var cargoReadings = []lt.Reading{
	{Name: "as written", Src: cargoBase, Want: []string{"m@0.1.0"}, Source: cargo195},
	{
		Name:   "CRLF",
		Src:    "version = 3\r\n\r\n[[package]]\r\nname = \"m\"\r\nversion = \"0.1.0\"\r\n",
		Want:   []string{"m@0.1.0"},
		Source: cargo195,
	},
	{
		Name:   "BOM",
		Src:    "\ufeff" + cargoBase,
		Want:   []string{"m@0.1.0"},
		Source: cargo195 + ": read as without it",
	},
	{
		// Before a header, the BOM must not hide it from the line finder.
		Name:   "BOM before a header",
		Src:    "\ufeff[[package]]\nname = \"m\"\nversion = \"0.1.0\"\n",
		Want:   []string{"m@0.1.0"},
		Source: cargo195 + ": read as without it",
	},
	{
		Name:    "duplicate key in a package",
		Src:     "version = 3\n\n[[package]]\nname = \"m\"\nname = \"evil\"\nversion = \"0.1.0\"\n",
		ErrLine: 5,
		ErrText: "'package.name' has already been defined",
		Source:  cargo195 + ": TOML parse error at line 5: duplicate key",
	},
	{
		Name:    "duplicate top-level key",
		Src:     "version = 3\nversion = 3\n" + cargoBase[len("version = 3\n"):],
		ErrLine: 2,
		ErrText: "'version' has already been defined",
		Source:  cargo195 + ": TOML parse error at line 2: duplicate key",
	},
	{
		Name:    "table defined twice",
		Src:     "version = 3\n\n[metadata]\n[metadata]\n[[package]]\nname = \"m\"\nversion = \"0.1.0\"\n",
		ErrLine: 4,
		ErrText: "'metadata' has already been defined",
		Source:  cargo195 + ": TOML parse error at line 4: duplicate key",
	},
	{
		Name:    "CR only",
		Src:     "version = 3\r\r[[package]]\rname = \"m\"\rversion = \"0.1.0\"\r",
		ErrLine: 1,
		ErrText: "control characters: '0x0d'",
		Source:  cargo195 + ": TOML parse error at line 1: carriage return must be followed by newline",
	},
	{
		Name:    "lone CR between keys",
		Src:     "version = 3\n\n[[package]]\nname = \"m\"\rversion = \"0.1.0\"\n",
		ErrLine: 4,
		ErrText: "control characters: '0x0d'",
		Source:  cargo195 + ": TOML parse error at line 4: carriage return must be followed by newline",
	},
	{
		// A lone CR cannot end a comment and let the line after it count.
		Name:    "lone CR in a comment",
		Src:     "version = 3\n# c\r[[package]]\nname = \"m\"\nversion = \"0.1.0\"\n",
		ErrLine: 2,
		ErrText: "control characters: '0x0d'",
		Source:  cargo195 + ": TOML parse error at line 2: carriage return must be followed by newline",
	},
}

func TestCargoReadings(t *testing.T) {
	lt.CheckReadings(t, Parser{}, "Cargo.lock", cargoReadings)
}

// TestBOMKeepsLines checks that a BOM before the first [[package]] header
// leaves every package on its line (before the fix, the header was not
// found and the packages were kept at line 0).
func TestBOMKeepsLines(t *testing.T) {
	pkgs, err := lt.ParseBytes(Parser{}, "Cargo.lock", []byte("\ufeff[[package]]\nname = \"m\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"n\"\nversion = \"1.0.0\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	lt.Check(t, pkgs, []lt.Want{{Name: "m", Version: "0.1.0", Line: 1}, {Name: "n", Version: "1.0.0", Line: 5}})
}
