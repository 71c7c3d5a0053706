// Package registry is tollgate's view of the package registries: one
// Client interface, one normalised Package and Version shape, and one
// subpackage per registry (npm, pypi, rubygems, nuget, crates, goproxy,
// packagist), each built from Options: a base URL (config registries:,
// mirrors and private registries with a path prefix alike), its own
// *httpx.Client (timeouts, bounded retries honouring Retry-After, 429
// retried within the caller's context; its MaxInFlight is the registry's
// concurrency limit), credentials sent only to the base URL's origin, an
// on-disk Cache of normalised packages, and limits on document bytes,
// versions and pages. Package all builds every client from the config map.
//
// Errors are *Error, naming the registry, the package and the URL
// (redacted), wrapping ErrNotFound (404/410: no such package — a
// dependency-confusion or unpublished signal, not an outage), ErrStatus,
// ErrMalformed, ErrTooLarge or ErrTooManyVersions, or the HTTP layer's
// error (timeouts, ErrWaitTooLong, context errors). What a client could
// not learn without failing the whole package (npm download counts, PyPI
// provenance from a mirror without the simple JSON API, crates.io or
// RubyGems owners, NuGet search) is named in Package.Incomplete, so that
// a check needing it reports itself skipped instead of passing.
//
// Which registry fills which field ("—": the registry's metadata does not
// show it; the field stays empty, or -1 / ProvenanceUnknown):
//
//	field               npm                     PyPI                      RubyGems              NuGet                    crates.io              Go proxy                 Packagist
//	Package.Created     time.created, else      first upload              first version         first published          crate.created_at       first .info Time         first version time
//	                    first version
//	Package.Modified    time.modified           —                         —                     —                        crate.updated_at       —                        —
//	Package.Latest      dist-tags.latest        info.version              gem version           last listed release      max_stable_version     highest release          newest tagged
//	Package.Maintainers maintainers[].name      —                         owners.json handles   search owners            owners logins          —                        —
//	Package.Repository  repository              project_urls Source…      source_code_uri       projectUrl (a forge)     crate.repository       latest Origin.URL        latest source.url
//	Package.Deprecated  —                       PEP 792 project-status    —                     —                        —                      go.mod Deprecated:       abandoned
//	Package.Downloads   last week (api.npmjs    — (-1: PyPI sends -1)     total                 total (search)           last 90 days           —                        —
//	                    .org, public registry)
//	Package.Unpublished time.unpublished        —                         —                     —                        —                      —                        —
//	Version.Published   time[version]           first file upload         created_at            published (unlisted: —)  created_at             .info Time               time
//	Version.Publisher   _npmUser.name           —                         —                     —                        published_by.login,    —                        —
//	                                                                                                                     else trustpub provider
//	Version.Maintainers maintainers[].name      —                         —                     —                        —                      —                        —
//	Version.InstallScripts pre/install/post-    sdist-only (no wheel)     —                     —                        —                      —                        composer-plugin
//	                    install, hasInstall-
//	                    Script, binding.gyp
//	Version.Provenance  dist.attestations SLSA, PEP 740 provenance        —                     —                        trustpub_data          —                        —
//	                    _npmUser.trusted-       (simple JSON API; implies
//	                    Publisher               a trusted publisher)
//	Version.Deprecated  deprecated              —                         —                     deprecation              —                      —                        —
//	Version.Yanked      unpublished (in time,   every file yanked         — (yanked versions    listed false             yanked, yank_message   go.mod retract           —
//	                    not in versions)        (+ reason)                leave the list)       ("unlisted")                                    (+ rationale)
//	Version.Repository  repository              latest: project_urls      metadata              projectUrl (a forge)     —                      .info Origin.URL         source.url
//	Version.Dependencies dependencies           latest: requires_dist     latest: runtime       dependencyGroups         —                      latest: go.mod require   require (no
//	                                            without extras                                  (union)                                         (direct)                 platform)
//	Version.ArtifactURL dist.tarball            sdist, else first file    <base>/gems/….gem     flat container .nupkg    dl_path                @v/<v>.zip               dist.url
//	Version.Digest      dist.integrity, else    sha256:                   sha256:               —                        sha256: checksum       — (go.sum h1 is the      sha1: dist.shasum
//	                    sha1: shasum                                                                                                            lockfile's)             (often empty)
//
// Go proxy versions beyond the newest DefaultMaxInfos (and the oldest) are
// listed without a publish time; the goproxy client implements
// VersionLookup to answer one version (a pseudo-version too) exactly.
//
// The cache stores the normalised Package (never the raw document) under
// sha256(registry URL, name, credential): fresh for the answer's
// Cache-Control s-maxage or max-age (capped at MaxCacheTTL, 24 h), or
// DefaultCacheTTL (30 min) when it sends none; no-store and no-cache are
// not cached. Entries are written atomically; an unreadable, corrupt or
// older-schema entry is ignored and refetched. WithRefresh bypasses it.
package registry
