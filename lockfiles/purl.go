package lockfiles

import (
	"strings"

	"github.com/package-url/packageurl-go"
)

// pep503 is PEP 503's normalisation: lower case, each run of -, _ and .
// one -. Written out rather than as the PEP's regexp because typosquat
// normalises every candidate name and its variants with it, where the
// regexp was a fifth of the check's time.
func pep503(name string) string {
	lower := strings.ToLower(name)
	if !strings.ContainsAny(lower, "_.") && !strings.Contains(lower, "--") {
		return lower
	}
	b := make([]byte, 0, len(lower))
	for i := 0; i < len(lower); i++ {
		c := lower[i]
		if c == '-' || c == '_' || c == '.' {
			if n := len(b); n > 0 && b[n-1] == '-' && (lower[i-1] == '-' || lower[i-1] == '_' || lower[i-1] == '.') {
				continue
			}
			c = '-'
		}
		b = append(b, c)
	}
	return string(b)
}

// NormalizeName returns the canonical form of a package name for comparison
// within its ecosystem: PEP 503 for PyPI, lower case for the case-insensitive
// registries (NuGet, Packagist, Pub), '-' and '_' folded for crates.io.
// npm, RubyGems, Go and GitHub Actions names are compared as written, except
// GitHub owners and repositories, which are case-insensitive.
func NormalizeName(ecosystem, name string) string {
	switch ecosystem {
	case EcosystemPyPI:
		return pep503(name)
	case EcosystemNuGet, EcosystemPackagist, EcosystemPub, EcosystemGitHubActions, EcosystemDocker:
		return strings.ToLower(name)
	case EcosystemCrates:
		return strings.ReplaceAll(strings.ToLower(name), "_", "-")
	}
	return name
}

// PURL returns the package URL of a package, following the purl spec for each
// type. qualifiers may be nil. It returns "" for an ecosystem without a purl
// type, and for a name that is only a path ("", ".", "..": a local project
// whose name is unknown), which no purl can name.
func PURL(ecosystem, name, version string, qualifiers map[string]string) string {
	if name == "" || name == "." || name == ".." {
		return ""
	}
	var typ, namespace, subpath string
	n := name
	switch ecosystem {
	case EcosystemNPM:
		typ = packageurl.TypeNPM
		// The scope is the namespace, "@" included (encoded as %40 by the library).
		if strings.HasPrefix(n, "@") {
			if i := strings.IndexByte(n, '/'); i > 0 {
				namespace, n = n[:i], n[i+1:]
			}
		}
	case EcosystemPyPI:
		typ = packageurl.TypePyPi
		n = NormalizeName(ecosystem, n)
	case EcosystemRubyGems:
		typ = packageurl.TypeGem
	case EcosystemNuGet:
		typ = packageurl.TypeNuget
	case EcosystemGo:
		typ = packageurl.TypeGolang
		if i := strings.LastIndexByte(n, '/'); i > 0 {
			namespace, n = n[:i], n[i+1:]
		}
	case EcosystemCrates:
		typ = packageurl.TypeCargo
	case EcosystemPackagist:
		typ = packageurl.TypeComposer
		n = strings.ToLower(n)
		if i := strings.IndexByte(n, '/'); i > 0 {
			namespace, n = n[:i], n[i+1:]
		}
	case EcosystemPub:
		typ = packageurl.TypePub
		n = strings.ToLower(n)
	case EcosystemGitHubActions:
		typ = "githubactions"
		// Per the githubactions type: the owner is the namespace (lower case);
		// the name is the repository (lower case) plus any path inside it,
		// which stays case-sensitive and is percent-encoded with the name.
		parts := strings.SplitN(n, "/", 3)
		switch len(parts) {
		case 1:
		case 2:
			namespace, n = strings.ToLower(parts[0]), strings.ToLower(parts[1])
		default:
			namespace, n = strings.ToLower(parts[0]), strings.ToLower(parts[1])+"/"+parts[2]
		}
	case EcosystemMaven:
		// group:artifact -> namespace group, name artifact (purl maven type).
		typ = packageurl.TypeMaven
		if i := strings.IndexByte(n, ':'); i > 0 {
			namespace, n = n[:i], n[i+1:]
		}
	case EcosystemDocker:
		typ = packageurl.TypeDocker
		if i := strings.LastIndexByte(n, '/'); i > 0 {
			namespace, n = n[:i], n[i+1:]
		}
	default:
		return ""
	}
	var qs packageurl.Qualifiers
	if len(qualifiers) > 0 {
		qs = packageurl.QualifiersFromMap(qualifiers)
	}
	return packageurl.NewPackageURL(typ, namespace, n, version, qs, subpath).ToString()
}
