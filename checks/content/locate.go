package content

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/mod/module"

	"github.com/tollgate-dev/tollgate/internal/httpx"
	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/registry"
)

// Public download locations where the registry's API base is not where
// artifacts are served from.
const (
	publicCratesAPI    = "https://crates.io"
	publicCratesStatic = "https://static.crates.io/crates"
	publicNuGetIndex   = "https://api.nuget.org/v3/index.json"
	publicNuGetFlat    = "https://api.nuget.org/v3-flatcontainer"
)

// located is where one package version's artifact is and what it must hash
// to.
type located struct {
	url string
	exp expectation
	// gem: read as a RubyGems .gem (a tar around data.tar.gz).
	gem bool
	// note says what could not be verified, for the findings' messages
	// ("the lockfile carries no hash: verified against the registry's
	// digest").
	note string
}

// locate finds the artifact of p: its URL from the lockfile when the
// lockfile records one, else the registry client's, else the registry's
// conventional path under config registries:; its expected digest from the
// lockfile when the lockfile has one, else the registry's.
func (c Check) locate(ctx context.Context, p *lockfiles.Package) (located, error) {
	var a located
	alg, digests := parseDigests(p.Integrity)
	if alg != "" {
		a.exp = expectation{algorithm: alg, digests: digests, source: fromLockfile}
	}
	// reg asks the registry client about p's version, once.
	var regVersion *registry.Version
	var regErr error
	asked := false
	altRegistry := false // a crate of another registry than crates.io
	reg := func() (*registry.Version, error) {
		if asked {
			return regVersion, regErr
		}
		asked = true
		client := c.opts.Registries[p.Ecosystem]
		if client == nil {
			regErr = fmt.Errorf("no %s registry client", p.Ecosystem)
			if c.opts.RegistryErr != nil {
				regErr = c.opts.RegistryErr
			}
			return nil, regErr
		}
		pkg, err := client.Package(ctx, p.Name)
		if err != nil {
			regErr = err
			return nil, err
		}
		v, ok := pkg.Version(p.Version)
		if !ok {
			regErr = fmt.Errorf("the registry lists no version %s", p.Version)
			return nil, regErr
		}
		regVersion = v
		return v, nil
	}
	switch p.Ecosystem {
	case lockfiles.EcosystemNPM:
		a.url = npmURL(p, c.base("npm"))
	case lockfiles.EcosystemPyPI:
		if isPythonArtifact(p.Resolved) {
			a.url = p.Resolved // uv.lock records the file's URL
		} else if a.exp.ok() {
			// poetry, Pipfile and requirements --hash lock every file of a
			// release by its hash, naming none: fetch the registry's file
			// that has a locked hash (the sdist when it is one of them).
			if v, err := reg(); err == nil && len(v.Artifacts) > 0 {
				if f := lockedFile(v.Artifacts, a.exp); f != nil {
					a.url = f.URL
				} else {
					// None of the release's files is one the lockfile
					// locked: the default artifact is fetched and its
					// verification against the locked hashes fails.
					a.note = fmt.Sprintf("none of the registry's %d files of this release hashes to one of the lockfile's %d hashes", len(v.Artifacts), len(a.exp.digests))
				}
			}
		}
	case lockfiles.EcosystemRubyGems:
		base := c.base("rubygems")
		if isHTTP(p.Resolved) {
			base = strings.TrimRight(p.Resolved, "/") // the GEM remote of Gemfile.lock
		}
		file := p.Name + "-" + p.Version
		if platform := qualifier(p.PURL, "platform"); platform != "" && platform != "ruby" {
			file += "-" + platform
		}
		a.url, a.gem = base+"/gems/"+url.PathEscape(file)+".gem", true
	case lockfiles.EcosystemCrates:
		if !isCratesIO(p.Resolved) {
			// An alternative registry: its config.json says where crates
			// are, and the crates.io client knows nothing of them.
			altRegistry = true
			u, err := c.alternativeCrateURL(ctx, p, a.exp)
			if err != nil {
				return a, fmt.Errorf("crate from the alternative registry %s: %w", p.Resolved, err)
			}
			a.url = u
		} else if base := c.base("crates"); base == publicCratesAPI {
			a.url = publicCratesStatic + "/" + url.PathEscape(p.Name) + "/" + url.PathEscape(p.Name) + "-" + url.PathEscape(p.Version) + ".crate"
		} else {
			a.url = base + "/api/v1/crates/" + url.PathEscape(p.Name) + "/" + url.PathEscape(p.Version) + "/download"
		}
	case lockfiles.EcosystemGo:
		escPath, err1 := module.EscapePath(p.Name)
		escVersion, err2 := module.EscapeVersion(p.Version)
		if err1 != nil || err2 != nil {
			return a, fmt.Errorf("not a module path and version: %s %s", p.Name, p.Version)
		}
		a.url = c.base("go") + "/" + escPath + "/@v/" + escVersion + ".zip"
		a.exp.module = module.Version{Path: p.Name, Version: p.Version}
		if a.exp.algorithm != "h1" {
			a.exp = expectation{module: a.exp.module} // go.sum's h1 is the only hash of a module zip
		}
	case lockfiles.EcosystemNuGet:
		if c.base("nuget") == publicNuGetIndex {
			id, v := strings.ToLower(p.Name), strings.ToLower(p.Version)
			a.url = publicNuGetFlat + "/" + url.PathEscape(id) + "/" + url.PathEscape(v) + "/" + url.PathEscape(id) + "." + url.PathEscape(v) + ".nupkg"
		}
	case lockfiles.EcosystemPackagist:
		if isHTTP(p.Resolved) {
			a.url = p.Resolved // composer.lock dist.url
		}
	default:
		return a, errUnsupported
	}
	if a.url == "" {
		v, err := reg()
		if err != nil {
			return a, fmt.Errorf("no download URL in the lockfile, and the registry could not say: %w", err)
		}
		if v.ArtifactURL == "" {
			return a, fmt.Errorf("no download URL in the lockfile or from the registry")
		}
		a.url = v.ArtifactURL
	}
	if p.Ecosystem == lockfiles.EcosystemPyPI && a.exp.ok() && !isPythonArtifact(p.Resolved) && (regVersion == nil || len(regVersion.Artifacts) == 0) {
		// A PyPI release has many files and these lockfiles hash them
		// without naming them: when the file the registry picks is not among
		// the locked hashes (a lockfile of wheels only), what was locked is
		// another file, not a tampered one.
		if v, err := reg(); err == nil && v.Digest != "" {
			if alg, ds := parseDigests(v.Digest); alg == a.exp.algorithm && len(ds) == 1 && !slices.Contains(a.exp.digests, ds[0]) {
				a.exp = expectation{algorithm: alg, digests: ds, source: fromRegistry}
				a.note = "the lockfile's hashes are of other files of this release: verified against the registry's digest"
			}
		}
	}
	if !a.exp.ok() && p.Ecosystem != lockfiles.EcosystemGo && !altRegistry {
		if v, err := reg(); err == nil && v.Digest != "" && (v.ArtifactURL == "" || v.ArtifactURL == a.url) {
			if alg, ds := parseDigests(v.Digest); alg != "" && alg != "h1" {
				a.exp = expectation{algorithm: alg, digests: ds, source: fromRegistry}
				a.note = "the lockfile carries no hash: verified against the registry's digest"
			}
		}
	}
	return a, nil
}

// errUnsupported marks an ecosystem whose artifacts are not fetched.
var errUnsupported = fmt.Errorf("artifacts of this ecosystem are not fetched in this version")

// base is the configured base URL of a registry key (the public one when
// the config names none), without a trailing slash.
func (c Check) base(key string) string {
	if b := c.opts.Bases[key]; b != "" {
		return strings.TrimRight(b, "/")
	}
	return strings.TrimRight(defaultBases[key], "/")
}

// defaultBases are the public endpoints (config.DefaultRegistries).
var defaultBases = map[string]string{
	"npm":       "https://registry.npmjs.org",
	"pypi":      "https://pypi.org",
	"rubygems":  "https://rubygems.org",
	"nuget":     publicNuGetIndex,
	"crates":    publicCratesAPI,
	"go":        "https://proxy.golang.org",
	"packagist": "https://repo.packagist.org",
}

func isHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// isPythonArtifact says whether s is the URL of a wheel or an sdist (not an
// index URL, which poetry.lock records for packages of other sources).
func isPythonArtifact(s string) bool {
	if !isHTTP(s) {
		return false
	}
	u, _ := url.Parse(s)
	p := strings.ToLower(u.Path)
	for _, ext := range []string{".whl", ".tar.gz", ".zip", ".tgz", ".tar.bz2"} {
		if strings.HasSuffix(p, ext) {
			return true
		}
	}
	return false
}

// qualifier reads one qualifier of a purl ("pkg:gem/x@1?platform=java").
func qualifier(purl, key string) string {
	_, q, ok := strings.Cut(purl, "?")
	if !ok {
		return ""
	}
	q, _, _ = strings.Cut(q, "#")
	vals, err := url.ParseQuery(q)
	if err != nil {
		return ""
	}
	return vals.Get(key)
}

// npmURL is where an npm package's tarball is: the lockfile's resolved URL,
// else the registry's conventional path.
func npmURL(p *lockfiles.Package, registry string) string {
	if isHTTP(p.Resolved) {
		return p.Resolved
	}
	base := p.Name
	if i := strings.LastIndexByte(base, '/'); i >= 0 {
		base = base[i+1:]
	}
	return strings.TrimSuffix(registry, "/") + "/" + p.Name + "/-/" + base + "-" + p.Version + ".tgz"
}

// lockedFile returns the file of a release whose digest is one of the
// locked ones, the sdist first; nil when none is.
func lockedFile(files []registry.Artifact, exp expectation) *registry.Artifact {
	var found *registry.Artifact
	for i := range files {
		f := &files[i]
		alg, ds := parseDigests(f.Digest)
		if alg != exp.algorithm || len(ds) != 1 || !slices.Contains(exp.digests, ds[0]) {
			continue
		}
		if found == nil || (f.Kind == "sdist" && found.Kind != "sdist") {
			found = f
		}
	}
	return found
}

// Cargo.lock sources of crates.io: its git index and its sparse index.
const (
	cratesIOGit    = "registry+https://github.com/rust-lang/crates.io-index"
	cratesIOSparse = "sparse+https://index.crates.io/"
)

// isCratesIO says whether a Cargo.lock source is crates.io's ("" is a
// version 1 entry that names none).
func isCratesIO(source string) bool {
	return source == "" || source == cratesIOGit || source == cratesIOSparse || source+"/" == cratesIOSparse
}

// crateConfigURL is where the config.json of the registry of a Cargo.lock
// source is read: "<index>/config.json" for a sparse index
// (sparse+https://...); for a git index (registry+...), the file at the root
// of the repository's default branch, read over HTTP when the repository is
// on GitHub (raw.githubusercontent.com serves a public repository's files
// at HEAD, the ref cargo fetches an index at); any other git index would
// need a clone and is not read.
func (c Check) crateConfigURL(source string) (string, error) {
	kind, index, _ := strings.Cut(source, "+")
	switch kind {
	case "sparse":
		if !isHTTP(index) {
			return "", fmt.Errorf("not an http(s) sparse index URL")
		}
		u, _ := url.Parse(index)
		if u.RawQuery != "" || u.Fragment != "" {
			return "", fmt.Errorf("a sparse index URL with a query or fragment is not read")
		}
		return strings.TrimSuffix(index, "/") + "/config.json", nil
	case "registry":
		u, err := url.Parse(index)
		if err == nil && u.Scheme == "https" && u.User == nil && u.RawQuery == "" && u.Fragment == "" && (strings.EqualFold(u.Host, "github.com") || strings.EqualFold(u.Host, "www.github.com")) {
			parts := strings.Split(strings.Trim(u.Path, "/"), "/")
			if len(parts) == 2 {
				owner, repo := parts[0], strings.TrimSuffix(parts[1], ".git")
				if gitHubName(owner) && gitHubName(repo) {
					raw := rawGitHub
					if c.f != nil && c.f.rawGitHub != "" {
						raw = c.f.rawGitHub
					}
					return raw + "/" + owner + "/" + repo + "/HEAD/config.json", nil
				}
			}
		}
		return "", fmt.Errorf("its git index is not read in this version: config.json is read over HTTP from a sparse index or a GitHub repository, never by cloning")
	}
	return "", fmt.Errorf("not a registry+ or sparse+ source")
}

// rawGitHub serves the files of public GitHub repositories.
const rawGitHub = "https://raw.githubusercontent.com"

// gitHubName says whether s can be a GitHub owner or repository name.
func gitHubName(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// alternativeCrateURL reads the registry's config.json (once per run) and
// builds the .crate's URL from its dl.
func (c Check) alternativeCrateURL(ctx context.Context, p *lockfiles.Package, exp expectation) (string, error) {
	cfgURL, err := c.crateConfigURL(p.Resolved)
	if err != nil {
		return "", err
	}
	cfg, err := c.f.crateConfig(ctx, cfgURL)
	if err != nil {
		return "", fmt.Errorf("its config.json could not be read: %w", err)
	}
	checksum := ""
	if exp.algorithm == "sha256" && len(exp.digests) == 1 {
		checksum = exp.digests[0]
	}
	u, err := crateDownloadURL(cfg.DL, p.Name, p.Version, checksum)
	if err != nil {
		return "", fmt.Errorf("config.json's dl %q: %w", httpx.RedactURL(cfg.DL), err)
	}
	return u, nil
}

// The markers of a crate registry's dl template.
const (
	markCrate       = "{crate}"
	markVersion     = "{version}"
	markPrefix      = "{prefix}"
	markLowerPrefix = "{lowerprefix}"
	markChecksum    = "{sha256-checksum}"
)

// crateDownloadURL is the URL of a .crate under a registry's dl, as cargo
// builds it (the registry index documentation): without any marker, dl
// followed by /{crate}/{version}/download; else the markers replaced, the
// prefix being the index directory of the name ("1", "2", "3/a",
// "ab/cd"; {lowerprefix} of the lower-cased name). checksum is the .crate's
// SHA-256 in hex ("" when the lockfile has none).
func crateDownloadURL(dl, name, version, checksum string) (string, error) {
	if !crateToken(name, "-_") || !crateToken(version, ".-+") {
		return "", fmt.Errorf("not a crate name and version: %q %q", name, version)
	}
	var out string
	if !strings.Contains(dl, markCrate) && !strings.Contains(dl, markVersion) && !strings.Contains(dl, markPrefix) && !strings.Contains(dl, markLowerPrefix) && !strings.Contains(dl, markChecksum) {
		out = dl + "/" + name + "/" + version + "/download"
	} else {
		if strings.Contains(dl, markChecksum) && checksum == "" {
			return "", fmt.Errorf("it needs the crate's checksum, which the lockfile does not record")
		}
		out = strings.NewReplacer(
			markCrate, name,
			markVersion, version,
			markPrefix, cratePrefix(name),
			markLowerPrefix, cratePrefix(strings.ToLower(name)),
			markChecksum, checksum,
		).Replace(dl)
	}
	if !isHTTP(out) {
		return "", fmt.Errorf("not an http(s) URL")
	}
	return out, nil
}

// cratePrefix is the index directory of a crate name (ASCII).
func cratePrefix(name string) string {
	switch len(name) {
	case 0:
		return ""
	case 1:
		return "1"
	case 2:
		return "2"
	case 3:
		return "3/" + name[:1]
	}
	return name[:2] + "/" + name[2:4]
}

// crateToken says whether s is ASCII letters and digits and the bytes of
// extra, and not empty: a name or version that cannot leave its place in a
// URL.
func crateToken(s, extra string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte(extra, b) >= 0) {
			return false
		}
	}
	return true
}
