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

// vendorDirs are directory names whose contents are third-party copies.
var vendorDirs = map[string]bool{
	"vendor": true, "node_modules": true, "bower_components": true, "third_party": true,
	"site-packages": true, ".venv": true, "venv": true, "Pods": true, ".yarn": true,
	".git": true, ".hg": true, ".svn": true, "jspm_packages": true,
}

// IsSkippedDir reports whether a sweep should not descend into a directory
// with this base name (vendored copies and VCS metadata).
func IsSkippedDir(name string) bool { return vendorDirs[name] }

// isVendored reports whether p lies under a vendored directory.
func isVendored(p string) bool {
	for _, part := range strings.Split(strings.ReplaceAll(p, "\\", "/"), "/") {
		if vendorDirs[part] {
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

// lockfileNames are files whose integrity hashes and URLs would trip
// heuristic rules; only rules with distinctive formats run in them.
var lockfileNames = map[string]bool{
	"package-lock.json": true, "npm-shrinkwrap.json": true, "yarn.lock": true, "pnpm-lock.yaml": true,
	"bun.lock": true, "Cargo.lock": true, "composer.lock": true, "Gemfile.lock": true, "go.sum": true,
	"poetry.lock": true, "Pipfile.lock": true, "pdm.lock": true, "uv.lock": true, "pubspec.lock": true,
	"packages.lock.json": true, "gradle.lockfile": true, "flake.lock": true, "mix.lock": true,
	"Podfile.lock": true, "Package.resolved": true, "deno.lock": true,
}

// isLockfile reports whether p names a lockfile.
func isLockfile(p string) bool {
	return lockfileNames[path.Base(strings.ReplaceAll(p, "\\", "/"))]
}

// binaryExts are extensions of files that are never text.
var binaryExts = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".ico": true, ".webp": true, ".bmp": true,
	".pdf": true, ".zip": true, ".gz": true, ".tgz": true, ".bz2": true, ".xz": true, ".7z": true,
	".jar": true, ".war": true, ".class": true, ".so": true, ".dll": true, ".exe": true, ".dylib": true,
	".a": true, ".o": true, ".wasm": true, ".woff": true, ".woff2": true, ".ttf": true, ".otf": true,
	".eot": true, ".mp3": true, ".mp4": true, ".mov": true, ".avi": true, ".webm": true, ".ogg": true,
	".wav": true, ".flac": true, ".psd": true, ".tiff": true, ".heic": true, ".pyc": true, ".whl": true,
}

// SkipReason says why a file should not be scanned ("" to scan it): binary
// content, a vendored path, a generated file (by name or by its "Code
// generated … DO NOT EDIT." header) or a minified one (very long lines).
func SkipReason(p string, content []byte) string {
	ext := strings.ToLower(path.Ext(p))
	if binaryExts[ext] {
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
