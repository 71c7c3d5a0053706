package secrets

import (
	"bytes"
	"path"
	"strings"
)

// Reasons SkipReason gives for not scanning a file.
const (
	SkipBinary    = "binary"
	SkipVendored  = "vendored"
	SkipGenerated = "generated"
	SkipMinified  = "minified"
)

// IsSkippedDir reports whether a sweep should not descend into a directory
// with this base name (vendored copies and VCS metadata).
func IsSkippedDir(name string) bool {
	switch name {
	case "vendor", "node_modules", "bower_components", "third_party", "site-packages", ".venv", "venv",
		"Pods", ".yarn", ".git", ".hg", ".svn", "jspm_packages":
		return true
	}
	return false
}

// isVendored reports whether p lies under a vendored directory.
func isVendored(p string) bool {
	for _, part := range strings.Split(strings.ReplaceAll(p, "\\", "/"), "/") {
		if IsSkippedDir(part) {
			return true
		}
	}
	return false
}

// isGeneratedPath recognises generated and minified files by name.
func isGeneratedPath(p string) bool {
	base := path.Base(strings.ReplaceAll(p, "\\", "/"))
	for _, suf := range []string{".min.js", ".min.css", ".map", ".pb.go", "_pb2.py", ".pb.cc", ".pb.h", ".bundle.js", ".chunk.js"} {
		if strings.HasSuffix(base, suf) {
			return true
		}
	}
	return false
}

// isLockfile reports whether p names a lockfile, whose integrity hashes and
// URLs would trip heuristic rules; only rules with distinctive formats run there.
func isLockfile(p string) bool {
	switch path.Base(strings.ReplaceAll(p, "\\", "/")) {
	case "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock", "Cargo.lock",
		"composer.lock", "Gemfile.lock", "gems.locked", "go.sum", "poetry.lock", "Pipfile.lock", "pdm.lock", "uv.lock",
		"pubspec.lock", "packages.lock.json", "gradle.lockfile", "flake.lock", "mix.lock", "Podfile.lock",
		"Package.resolved", "deno.lock":
		return true
	}
	return false
}

// isBinaryExt reports extensions of files that are never text.
func isBinaryExt(ext string) bool {
	switch ext {
	case ".png", ".jpg", ".jpeg", ".gif", ".ico", ".webp", ".bmp", ".pdf", ".zip", ".gz", ".tgz", ".bz2",
		".xz", ".7z", ".jar", ".war", ".class", ".so", ".dll", ".exe", ".dylib", ".a", ".o", ".wasm", ".woff",
		".woff2", ".ttf", ".otf", ".eot", ".mp3", ".mp4", ".mov", ".avi", ".webm", ".ogg", ".wav", ".flac",
		".psd", ".tiff", ".heic", ".pyc", ".whl":
		return true
	}
	return false
}

// SkipReason says why a file should not be scanned ("" to scan it): binary
// content, a vendored path, a generated file (by name or by its "Code
// generated … DO NOT EDIT." header) or a minified one (very long lines).
func SkipReason(p string, content []byte) string {
	ext := strings.ToLower(path.Ext(p))
	if isBinaryExt(ext) {
		return SkipBinary
	}
	head := content[:min(len(content), 8000)]
	if bytes.IndexByte(head, 0) >= 0 {
		return SkipBinary
	}
	if isVendored(p) {
		return SkipVendored
	}
	if isGeneratedPath(p) {
		return SkipGenerated
	}
	// The Go convention (and most generators) mark the first lines.
	firstLines := head[:min(len(head), 1024)]
	if bytes.Contains(firstLines, []byte("DO NOT EDIT")) && bytes.Contains(firstLines, []byte("enerated")) {
		return SkipGenerated
	}
	if ext == ".js" || ext == ".css" || ext == ".mjs" || ext == ".cjs" {
		// Minified: few newlines for a lot of text.
		if len(head) >= 4096 && bytes.Count(head, []byte{'\n'}) < len(head)/1000 {
			return SkipMinified
		}
	}
	return ""
}
