// Package gradlelock reads Gradle dependency lockfiles: gradle.lockfile (and
// buildscript-gradle.lockfile, settings-gradle.lockfile) of Gradle 6.4 and
// later, and the per-configuration gradle/dependency-locks/*.lockfile of
// earlier versions. Every locked module is a Maven package.
//
// Written by hand: the format is one "group:artifact:version=configurations"
// line per module, for which a line scanner is all there is to write.
package gradlelock

import (
	"context"
	"path"
	"strings"

	"github.com/tollgate-dev/tollgate/lockfiles"
)

// Parser reads Gradle lockfiles. The zero value is ready to use.
type Parser struct{}

// Name identifies the format.
func (Parser) Name() string { return "maven/gradle.lockfile" }

// Match accepts gradle.lockfile and <name>-gradle.lockfile anywhere, and
// *.lockfile inside a gradle/dependency-locks directory.
func (Parser) Match(p string) bool {
	base := path.Base(p)
	if base == "gradle.lockfile" || strings.HasSuffix(base, "-gradle.lockfile") {
		return true
	}
	return strings.HasSuffix(base, ".lockfile") && strings.HasSuffix(path.Dir(p), "gradle/dependency-locks")
}

// Parse returns one package per locked module line.
//
//   - "group:artifact:version=conf1,conf2" (one file per project) and
//     "group:artifact:version" (one file per configuration, Gradle < 6.4) give
//     Ecosystem Maven, Name "group:artifact", Version as written, Line the
//     line of the module.
//   - Dev is true when every configuration listed is a test configuration
//     (its name starts with "test"); a per-configuration file decides by its
//     own name. Direct is always false: the lockfile does not say which
//     modules the build declares.
//   - Lines end at "\n", "\r" or "\r\n", as Java reads them; Line counts
//     those lines.
//   - Comments (#), blank lines and the "empty=..." line of configurations
//     without dependencies are skipped.
//
// Any other line is a *lockfiles.ParseError naming it, as Gradle itself
// rejects a lockfile it cannot read.
func (Parser) Parse(ctx context.Context, in *lockfiles.Input) ([]lockfiles.Package, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	limits := in.Limits.WithDefaults()
	fileDev := false
	if !strings.HasSuffix(in.Path, "gradle.lockfile") {
		fileDev = isTestConfiguration(strings.TrimSuffix(path.Base(in.Path), ".lockfile"))
	}
	var pkgs []lockfiles.Package
	text := strings.TrimPrefix(string(in.Content), "\ufeff")
	for lineNo := 1; text != ""; lineNo++ {
		var line string
		line, text = nextLine(text)
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		coords, confs, hasConfs := strings.Cut(line, "=")
		coords = strings.TrimSpace(coords)
		if hasConfs && coords == "empty" {
			continue
		}
		parts := strings.Split(coords, ":")
		if len(parts) != 3 || !validPart(parts[0]) || !validPart(parts[1]) || !validVersion(parts[2]) {
			return nil, lockfiles.Errorf(in.Path, lineNo, "not a locked module (group:artifact:version=configurations): %q", truncate(line))
		}
		dev := fileDev
		if hasConfs {
			dev = allTest(confs)
		}
		if len(pkgs) >= limits.MaxPackages {
			return nil, lockfiles.LimitErrorf(in.Path, lineNo, "more than %d packages", limits.MaxPackages)
		}
		name := parts[0] + ":" + parts[1]
		pkgs = append(pkgs, lockfiles.Package{
			Ecosystem: lockfiles.EcosystemMaven,
			Name:      name,
			Version:   parts[2],
			PURL:      lockfiles.PURL(lockfiles.EcosystemMaven, name, parts[2], nil),
			Path:      in.Path,
			Line:      lineNo,
			Dev:       dev,
		})
	}
	return pkgs, nil
}

// nextLine splits off the first line of text as Gradle's reader does
// (Files.lines, that is BufferedReader.readLine): "\n", "\r" and "\r\n" each
// end a line, so a lone CR cannot fold a module line into a comment or into
// the line before it.
func nextLine(text string) (line, rest string) {
	i := strings.IndexAny(text, "\r\n")
	if i < 0 {
		return text, ""
	}
	if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
		return text[:i], text[i+2:]
	}
	return text[:i], text[i+1:]
}

// allTest reports whether every configuration of a comma-separated list is a
// test configuration (and the list is not empty).
func allTest(confs string) bool {
	n := 0
	for c := range strings.SplitSeq(confs, ",") {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if !isTestConfiguration(c) {
			return false
		}
		n++
	}
	return n > 0
}

// isTestConfiguration reports whether a configuration only serves tests
// (testCompileClasspath, testRuntimeClasspath, testFixturesRuntimeClasspath...).
func isTestConfiguration(c string) bool {
	return strings.HasPrefix(c, "test") || strings.HasPrefix(c, "integrationTest")
}

// validPart accepts a Maven group id or artifact id: letters, digits and
// . _ - (Maven's own pattern for ids).
func validPart(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validVersion accepts a non-empty version without spaces or separators of
// the line's own syntax.
func validVersion(s string) bool {
	return s != "" && !strings.ContainsAny(s, " \t,=:")
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
