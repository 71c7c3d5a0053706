package registry

import (
	"sort"
	"time"
)

// Provenance says how a version's origin can be verified.
type Provenance string

// Provenance values, weakest first.
const (
	// ProvenanceUnknown: the registry's metadata does not say (the registry
	// has no such signal, or the client could not read it: see
	// Package.Incomplete). Never read as a downgrade.
	ProvenanceUnknown Provenance = ""
	// ProvenanceNone: the registry shows provenance where it exists, and
	// this version has none.
	ProvenanceNone Provenance = "none"
	// ProvenanceAttested: a signed build attestation (npm
	// dist.attestations with an SLSA provenance predicate, PyPI PEP 740
	// provenance).
	ProvenanceAttested Provenance = "provenance"
	// ProvenanceTrustedPublisher: published through a trusted publisher
	// (OIDC from a CI workflow, no long-lived token): npm
	// _npmUser.trustedPublisher, crates.io trustpub_data.
	ProvenanceTrustedPublisher Provenance = "trusted-publisher"
)

// Rank orders provenance strength: unknown 0, none 1, provenance 2,
// trusted publisher 3. provenance-downgrade compares ranks within a major;
// trusted publisher -> provenance is not a downgrade, the check decides.
func (p Provenance) Rank() int {
	switch p {
	case ProvenanceNone:
		return 1
	case ProvenanceAttested:
		return 2
	case ProvenanceTrustedPublisher:
		return 3
	}
	return 0
}

// Download count periods of Package.DownloadsPeriod.
const (
	DownloadsTotal     = "total"
	DownloadsLastWeek  = "last-week"
	DownloadsLastMonth = "last-month"
	Downloads90Days    = "last-90-days"
)

// Package is the normalised metadata of one package of one registry: what
// the registry checks (and typosquat's popularity, content's artifact
// download) need, the same shape for every registry. See doc.go for which
// registry fills which field. It is what the cache stores.
type Package struct {
	// Ecosystem is the OSV ecosystem name (EcosystemNpm, ...).
	Ecosystem string `json:"ecosystem"`
	// Name is the package name as the registry spells it (PyPI: the
	// project's own spelling, not the normalised one).
	Name string `json:"name"`
	// Registry is the base URL the package was read from.
	Registry string `json:"registry"`
	// Created is when the package was first published: the earlier of the
	// registry's creation time (npm time.created, crates.io created_at) and
	// the earliest version's publish time; zero when neither is known.
	Created time.Time `json:"created,omitzero"`
	// Modified is when the registry last changed the package; zero when
	// unknown.
	Modified time.Time `json:"modified,omitzero"`
	// Latest is the version the registry calls latest (npm dist-tags.latest,
	// PyPI info.version, ...); empty when it names none.
	Latest string `json:"latest,omitempty"`
	// Versions are every version the registry lists, oldest published
	// first (versions without a time keep the registry's order, first).
	Versions []Version `json:"versions"`
	// Maintainers are the accounts that may publish now (npm maintainers,
	// crates.io owners are not fetched, PyPI: none), sorted.
	Maintainers []string `json:"maintainers,omitempty"`
	// Repository is the source repository the package declares now (its
	// latest version's, where per version), as written.
	Repository string `json:"repository,omitempty"`
	// Deprecated is the package-level deprecation or abandonment message
	// (Packagist abandoned, NuGet/crates none); empty when not deprecated.
	Deprecated string `json:"deprecated,omitempty"`
	// Downloads is the registry's download count over DownloadsPeriod, or
	// -1 when the registry publishes none (or it could not be read).
	Downloads int64 `json:"downloads"`
	// DownloadsPeriod is DownloadsTotal, DownloadsLastWeek, ...; empty when
	// Downloads is -1.
	DownloadsPeriod string `json:"downloads_period,omitempty"`
	// Unpublished is true when the whole package was withdrawn and the
	// registry keeps only a tombstone (npm time.unpublished); Versions then
	// holds the withdrawn versions, each Yanked.
	Unpublished bool `json:"unpublished,omitempty"`
	// Incomplete names what the client could not learn and why ("provenance:
	// the simple API answered HTTP 404"): checks that need it must report
	// themselves skipped for this package rather than pass.
	Incomplete []string `json:"incomplete,omitempty"`
	// Fetched is when the registry was asked (a cached package keeps it).
	Fetched time.Time `json:"fetched"`

	index map[string]int
}

// Version is one published version of a Package.
type Version struct {
	// Version is the version string as the registry spells it.
	Version string `json:"version"`
	// Published is when the version was published; zero when unknown.
	Published time.Time `json:"published,omitzero"`
	// Publisher is the account that published the version; empty when the
	// registry does not say.
	Publisher string `json:"publisher,omitempty"`
	// Maintainers are the version's maintainer accounts, where the registry
	// records them per version (npm), sorted.
	Maintainers []string `json:"maintainers,omitempty"`
	// InstallScripts name what runs at install time, sorted: npm
	// "preinstall", "install", "postinstall", "hasInstallScript" (the
	// registry's flag), "binding.gyp" (gypfile: node-gyp builds native
	// code); PyPI "sdist-only" (no wheel: installing runs the build
	// backend); RubyGems "extensions" (native extensions are compiled).
	// Empty when the metadata shows none.
	InstallScripts []string `json:"install_scripts,omitempty"`
	// InstallCommands holds the command of each named install script where
	// the registry shows it (npm scripts), for a finding's evidence.
	InstallCommands map[string]string `json:"install_commands,omitempty"`
	// Provenance is how the version's origin can be verified.
	Provenance Provenance `json:"provenance,omitempty"`
	// Deprecated is the deprecation message; empty when not deprecated.
	Deprecated string `json:"deprecated,omitempty"`
	// Yanked is true when the registry withdrew the version (PyPI and
	// crates.io yanked, NuGet unlisted, npm unpublished: the version is in
	// the packument's time map but no longer in its versions).
	Yanked bool `json:"yanked,omitempty"`
	// YankedReason is the registry's reason, when it gives one.
	YankedReason string `json:"yanked_reason,omitempty"`
	// Repository is the source repository this version declares, as written.
	Repository string `json:"repository,omitempty"`
	// Dependencies are the runtime dependencies the version declares, name
	// to requirement (no dev, test or optional build dependencies); nil when
	// the registry metadata does not list them.
	Dependencies map[string]string `json:"dependencies,omitempty"`
	// ArtifactURL is where the version's main artifact is downloaded (npm
	// tarball, PyPI sdist or first wheel, .gem, .nupkg, .crate, module zip,
	// Packagist dist).
	ArtifactURL string `json:"artifact_url,omitempty"`
	// Digest is the artifact's digest: "sha512-<base64>" (npm's integrity
	// string, as lockfiles write it) or "<algorithm>:<hex>" (sha256:…,
	// sha1:…); empty when the registry gives none.
	Digest string `json:"digest,omitempty"`
	// Artifacts are every file of the version where the registry publishes
	// several (PyPI: the sdist and each wheel), so that a lockfile's hash
	// can be matched to the file it locks; nil elsewhere.
	Artifacts []Artifact `json:"artifacts,omitempty"`
}

// Artifact is one downloadable file of a version.
type Artifact struct {
	// Name is the file name ("requests-2.31.0-py3-none-any.whl").
	Name string `json:"name"`
	// URL is where it is downloaded.
	URL string `json:"url"`
	// Digest is "<algorithm>:<hex>"; empty when the registry gives none.
	Digest string `json:"digest,omitempty"`
	// Kind is the registry's type of the file (PyPI "sdist", "bdist_wheel").
	Kind string `json:"kind,omitempty"`
}

// Version returns the version with that exact version string.
func (p *Package) Version(v string) (*Version, bool) {
	if p.index != nil {
		i, ok := p.index[v]
		if ok {
			return &p.Versions[i], true
		}
		return nil, false
	}
	for i := range p.Versions {
		if p.Versions[i].Version == v {
			return &p.Versions[i], true
		}
	}
	return nil, false
}

// Finish sorts the versions (oldest published first, stable), builds the
// version index, fills Created from the earliest version when the registry
// gave none, and sorts maintainer lists. Every client calls it before
// returning a package; a caller that edits Versions calls it again.
func (p *Package) Finish() {
	sort.SliceStable(p.Versions, func(i, j int) bool {
		a, b := p.Versions[i].Published, p.Versions[j].Published
		if a.IsZero() || b.IsZero() {
			return a.IsZero() && !b.IsZero()
		}
		return a.Before(b)
	})
	p.index = make(map[string]int, len(p.Versions))
	for i := range p.Versions {
		v := &p.Versions[i]
		p.index[v.Version] = i
		sort.Strings(v.Maintainers)
		sort.Strings(v.InstallScripts)
		if !v.Published.IsZero() && (p.Created.IsZero() || v.Published.Before(p.Created)) {
			p.Created = v.Published
		}
	}
	sort.Strings(p.Maintainers)
}
