package npm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/registry"
	"github.com/tollgate-dev/tollgate/registry/internal/fetch"
)

// slsaProvenance prefixes the predicate type of an npm provenance
// attestation (https://slsa.dev/provenance/v0.2 or /v1).
const slsaProvenance = "https://slsa.dev/provenance/"

// installScripts are the lifecycle scripts npm runs at install time.
var installScripts = []string{"preinstall", "install", "postinstall"}

// version is the part of one entry of a packument's versions that tollgate
// reads; the fields whose shape varies in real packuments stay raw.
type version struct {
	Version          string          `json:"version"`
	Scripts          json.RawMessage `json:"scripts"`
	HasInstallScript bool            `json:"hasInstallScript"`
	Gypfile          bool            `json:"gypfile"`
	Deprecated       json.RawMessage `json:"deprecated"`
	Repository       json.RawMessage `json:"repository"`
	Dependencies     json.RawMessage `json:"dependencies"`
	Maintainers      json.RawMessage `json:"maintainers"`
	NpmUser          json.RawMessage `json:"_npmUser"`
	Dist             *dist           `json:"dist"`
}

type dist struct {
	Tarball      string        `json:"tarball"`
	Integrity    string        `json:"integrity"`
	Shasum       string        `json:"shasum"`
	Attestations *attestations `json:"attestations"`
}

type attestations struct {
	URL        string `json:"url"`
	Provenance *struct {
		PredicateType string `json:"predicateType"`
	} `json:"provenance"`
}

// Decode reads a full packument from r as a stream and normalises it;
// Downloads is left -1. More than maxVersions versions (or time entries)
// fail with registry.ErrTooManyVersions; a document that is not a
// packument fails with registry.ErrMalformed. The top level is read token
// by token and every version object decoded on its own, so the memory held
// is the normalised package plus the largest single value.
func Decode(r io.Reader, maxVersions int) (*registry.Package, error) {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{', "the packument"); err != nil {
		return nil, err
	}
	p := &registry.Package{Ecosystem: registry.EcosystemNpm, Downloads: -1}
	var (
		times       map[string]string
		unpublished bool
		distTags    map[string]json.RawMessage
		topRepo     json.RawMessage
		topMaint    json.RawMessage
		seenVersion bool
	)
	for dec.More() {
		key, err := stringToken(dec)
		if err != nil {
			return nil, err
		}
		switch key {
		case "name":
			if err := decodeField(dec, "name", &p.Name); err != nil {
				return nil, err
			}
		case "dist-tags":
			if err := decodeField(dec, "dist-tags", &distTags); err != nil {
				return nil, err
			}
		case "repository":
			if err := decodeField(dec, "repository", &topRepo); err != nil {
				return nil, err
			}
		case "maintainers":
			if err := decodeField(dec, "maintainers", &topMaint); err != nil {
				return nil, err
			}
		case "versions":
			seenVersion = true
			if err := decodeVersions(dec, p, maxVersions); err != nil {
				return nil, err
			}
		case "time":
			if times, unpublished, err = decodeTimes(dec, maxVersions); err != nil {
				return nil, err
			}
		default:
			// readme, users, _attachments, …: skipped token by token, never
			// held whole beyond one string.
			if err := skipValue(dec); err != nil {
				return nil, fmt.Errorf("%w: field %q: %w", registry.ErrMalformed, key, err)
			}
		}
	}
	if err := expectDelim(dec, '}', "the packument"); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the packument", registry.ErrMalformed)
	}
	if !seenVersion && !unpublished {
		return nil, fmt.Errorf("%w: no versions object (not a packument)", registry.ErrMalformed)
	}

	if raw, ok := distTags["latest"]; ok {
		_ = json.Unmarshal(raw, &p.Latest) // a non-string latest is no latest
	}
	p.Maintainers = people(topMaint)
	p.Repository = repositoryURL(topRepo)
	listed := make(map[string]bool, len(p.Versions))
	for i := range p.Versions {
		v := &p.Versions[i]
		listed[v.Version] = true
		v.Published = fetch.ParseTime(times[v.Version])
	}
	p.Created = fetch.ParseTime(times["created"])
	p.Modified = fetch.ParseTime(times["modified"])
	// A version the time map names but versions no longer holds was
	// unpublished; keep it, withdrawn, so that a lockfile naming it is seen.
	var gone []string
	for v := range times {
		if v != "created" && v != "modified" && !listed[v] {
			gone = append(gone, v)
		}
	}
	sort.Strings(gone)
	for _, v := range gone {
		p.Versions = append(p.Versions, registry.Version{Version: v, Published: fetch.ParseTime(times[v]), Yanked: true, YankedReason: "unpublished", Provenance: registry.ProvenanceUnknown})
	}
	p.Unpublished = unpublished
	if p.Repository == "" && p.Latest != "" {
		if v, ok := p.Version(p.Latest); ok {
			p.Repository = v.Repository
		}
	}
	p.Finish()
	return p, nil
}

func decodeVersions(dec *json.Decoder, p *registry.Package, maxVersions int) error {
	if err := expectDelim(dec, '{', "versions"); err != nil {
		return err
	}
	seen := map[string]int{}
	for dec.More() {
		key, err := stringToken(dec)
		if err != nil {
			return err
		}
		if len(p.Versions) >= maxVersions {
			return fmt.Errorf("%w: more than %d versions", registry.ErrTooManyVersions, maxVersions)
		}
		var raw version
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("%w: version %q: %w", registry.ErrMalformed, key, unwrapSyntax(err))
		}
		// A key written twice: the last value wins, as JSON.parse has it.
		if i, dup := seen[key]; dup {
			p.Versions[i] = normalise(key, &raw)
			continue
		}
		seen[key] = len(p.Versions)
		p.Versions = append(p.Versions, normalise(key, &raw))
	}
	return expectDelim(dec, '}', "versions")
}

func normalise(key string, raw *version) registry.Version {
	v := registry.Version{Version: key, Provenance: registry.ProvenanceNone}
	// Install-time scripts.
	var scripts map[string]json.RawMessage
	if len(raw.Scripts) > 0 && json.Unmarshal(raw.Scripts, &scripts) == nil {
		for _, name := range installScripts {
			var cmd string
			if json.Unmarshal(scripts[name], &cmd) == nil && strings.TrimSpace(cmd) != "" {
				v.InstallScripts = append(v.InstallScripts, name)
				if v.InstallCommands == nil {
					v.InstallCommands = map[string]string{}
				}
				v.InstallCommands[name] = cmd
			}
		}
	}
	if raw.HasInstallScript {
		v.InstallScripts = append(v.InstallScripts, "hasInstallScript")
	}
	if raw.Gypfile {
		v.InstallScripts = append(v.InstallScripts, "binding.gyp")
	}
	var deprecated string
	if json.Unmarshal(raw.Deprecated, &deprecated) == nil {
		v.Deprecated = deprecated // false or absent: not deprecated
	}
	v.Repository = repositoryURL(raw.Repository)
	v.Dependencies = dependencies(raw.Dependencies)
	v.Maintainers = people(raw.Maintainers)
	publisher, trusted := npmUser(raw.NpmUser)
	v.Publisher = publisher
	if d := raw.Dist; d != nil {
		v.ArtifactURL = d.Tarball
		switch {
		case d.Integrity != "":
			v.Digest = d.Integrity
		case d.Shasum != "":
			v.Digest = "sha1:" + strings.ToLower(d.Shasum)
		}
		if a := d.Attestations; a != nil && a.Provenance != nil && strings.HasPrefix(a.Provenance.PredicateType, slsaProvenance) {
			v.Provenance = registry.ProvenanceAttested
		}
	}
	if trusted {
		v.Provenance = registry.ProvenanceTrustedPublisher
	}
	return v
}

// decodeTimes reads the time object: version -> RFC 3339 string, plus
// created and modified; "unpublished" (an object) marks a tombstone.
func decodeTimes(dec *json.Decoder, maxVersions int) (map[string]string, bool, error) {
	if err := expectDelim(dec, '{', "time"); err != nil {
		return nil, false, err
	}
	times := map[string]string{}
	unpublished := false
	for dec.More() {
		key, err := stringToken(dec)
		if err != nil {
			return nil, false, err
		}
		if len(times) > maxVersions+2 {
			return nil, false, fmt.Errorf("%w: more than %d entries in time", registry.ErrTooManyVersions, maxVersions)
		}
		if key == "unpublished" {
			unpublished = true
			var tomb struct {
				Versions []string `json:"versions"`
				Time     string   `json:"time"`
			}
			if err := dec.Decode(&tomb); err != nil {
				return nil, false, fmt.Errorf("%w: time.unpublished: %w", registry.ErrMalformed, unwrapSyntax(err))
			}
			if len(tomb.Versions) > maxVersions {
				return nil, false, fmt.Errorf("%w: more than %d unpublished versions", registry.ErrTooManyVersions, maxVersions)
			}
			for _, v := range tomb.Versions {
				if _, ok := times[v]; !ok {
					times[v] = ""
				}
			}
			continue
		}
		var s string
		if err := dec.Decode(&s); err != nil {
			return nil, false, fmt.Errorf("%w: time %q: %w", registry.ErrMalformed, key, unwrapSyntax(err))
		}
		times[key] = s
	}
	return times, unpublished, expectDelim(dec, '}', "time")
}

// repositoryURL reads repository: "github:user/repo", a URL string, or
// {"type": "git", "url": "…", "directory": "…"}.
func repositoryURL(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var obj struct {
		URL string `json:"url"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		return strings.TrimSpace(obj.URL)
	}
	return ""
}

// people reads maintainers: [{"name": …, "email": …}] or ["name <email>"].
func people(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil
	}
	var out []string
	for _, it := range items {
		if name, _ := person(it); name != "" {
			out = append(out, name)
		}
	}
	return out
}

// person reads one {"name": …} object or "name <email> (url)" string.
func person(raw json.RawMessage) (name string, obj map[string]json.RawMessage) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if i := strings.IndexAny(s, "<("); i >= 0 {
			s = s[:i]
		}
		return strings.TrimSpace(s), nil
	}
	if json.Unmarshal(raw, &obj) == nil {
		_ = json.Unmarshal(obj["name"], &name)
		return strings.TrimSpace(name), obj
	}
	return "", nil
}

// npmUser reads _npmUser: the publisher's name, and whether it published
// through a trusted publisher (a non-null trustedPublisher object, as npm
// writes for OIDC publishes from CI).
func npmUser(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	name, obj := person(raw)
	tp := bytes.TrimSpace(obj["trustedPublisher"])
	return name, len(tp) > 0 && tp[0] == '{'
}

// dependencies reads dependencies: {"name": "range"}; an array (old
// packuments) or other shape is no dependency list.
func dependencies(raw json.RawMessage) map[string]string {
	if len(raw) == 0 {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for name, r := range m {
		var spec string
		if json.Unmarshal(r, &spec) != nil {
			spec = string(r)
		}
		out[name] = spec
	}
	return out
}

func expectDelim(dec *json.Decoder, want json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%w: %s: %w", registry.ErrMalformed, what, unwrapSyntax(err))
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("%w: %s: want %q, got %v", registry.ErrMalformed, what, string(want), describe(tok))
	}
	return nil
}

func stringToken(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", fmt.Errorf("%w: %w", registry.ErrMalformed, unwrapSyntax(err))
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("%w: want an object key, got %v", registry.ErrMalformed, describe(tok))
	}
	return s, nil
}

func decodeField(dec *json.Decoder, name string, v any) error {
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: field %q: %w", registry.ErrMalformed, name, unwrapSyntax(err))
	}
	return nil
}

// skipValue consumes one value of any depth, token by token.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return unwrapSyntax(err)
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

// unwrapSyntax keeps a registry sentinel (the byte limit, read through the
// decoder) as the cause, and otherwise returns err.
func unwrapSyntax(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
		return fmt.Errorf("the document ends early: %w", io.ErrUnexpectedEOF)
	}
	return err
}

func describe(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", string(t))
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", tok)
}
