// Package requirements reads pip requirements files (requirements.txt, the
// output of pip-compile and uv pip compile, and their unpinned .in inputs),
// following -r and -c includes.
//
// Written by hand: there is no Go library for pip's file format, and the
// format is line-based, so a single pass with strings.Cut is simple and fast.
package requirements

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/lockfiles/tomltree"
)

// Parser reads requirements files. The zero value is ready to use.
type Parser struct{}

// Name identifies the format.
func (Parser) Name() string { return "pypi/requirements.txt" }

// Match accepts requirements*.txt and requirements*.in, *-requirements.txt,
// and any .txt or .in file inside a directory named "requirements".
func (Parser) Match(p string) bool {
	base := lockfiles.Base(p)
	ext := path.Ext(base)
	if ext != ".txt" && ext != ".in" {
		return false
	}
	switch {
	case strings.HasPrefix(base, "requirements"):
		return true
	case strings.HasSuffix(base, "-requirements.txt"):
		return true
	}
	return path.Base(path.Dir(p)) == "requirements"
}

// MayInclude reports whether path could be read through -r or -c: any .txt
// or .in file.
func (Parser) MayInclude(p string) bool {
	ext := path.Ext(p)
	return ext == ".txt" || ext == ".in"
}

// Parse returns one package per requirement line, following -r and -c
// includes (relative to the including file, through in.FS) to a depth of
// in.Limits.MaxIncludes; packages of an included file carry that file's Path
// and line. A file already read is not read again; an include cycle, a
// missing included file or one outside the scanned tree is an error naming
// the including file and the line of the -r. Remote includes (-r https://...)
// cannot be followed offline and are skipped.
//
// Line is the first physical line of a requirement continued with "\".
// Pins (name==1.2.3, name===1.2.3) give Version. Anything else without an
// exact version (ranges, wildcards, bare names, environment variables) is
// reported with Version "" and Source unpinned. "name @ URL" and bare URLs
// are Source url (git+ URLs Source git; file: URLs and paths Source local)
// with Resolved the URL; their name comes from the requirement, the #egg=
// fragment or the wheel or sdist file name, and their version, when known,
// from that file name. -e with a VCS URL or a path gives a git or local
// package. --hash values are joined with spaces into Integrity.
//
// Entries of a constraints file (-c) are reported, since a constraint fixes
// the version of the package whenever anything installs it, but never as
// Direct.
//
// Direct is true, except in pip-compile (and uv pip compile) output, where a
// requirement followed by "# via" comments is direct only when one of them
// names an input file ("-r requirements.in") or a project file
// ("(pyproject.toml)", "(setup.py)", "(setup.cfg)").
//
// A line pip would reject as an invalid requirement (no name, an operator
// without a version, "name 1.0") is a *lockfiles.ParseError naming its line.
func (Parser) Parse(ctx context.Context, in *lockfiles.Input) ([]lockfiles.Package, error) {
	w := &walker{
		ctx:    ctx,
		fsys:   in.FS,
		limits: in.Limits.WithDefaults(),
		active: map[string]bool{},
		done:   map[string]bool{},
	}
	if err := w.file(in.Path, in.Content, 0, false); err != nil {
		return nil, err
	}
	return w.pkgs, nil
}

// walker holds the state of one Parse call across included files.
type walker struct {
	ctx    context.Context
	fsys   fs.FS
	limits lockfiles.Limits
	active map[string]bool // files being read (the include stack), for cycles
	done   map[string]bool // files already read
	pkgs   []lockfiles.Package
}

// cutLine cuts the first line off text where pip's reader does: pip splits
// a requirements file with Python's str.splitlines, which also breaks lines
// on \r, \v, \f, \x1c, \x1d, \x1e, U+0085, U+2028 and U+2029, not only on
// \n; reading only \n would hide a second requirement behind a form feed
// ("requests==2.31.0\n# pinned\freqeusts==2.31.0" installs both), or read a
// file that ends its lines with \r alone as nothing. breaks counts the line
// numbers the cut advances, as an editor and GitHub number lines: one for
// \n, \r\n and a lone \r (0 at the end of text is still one line), none
// for the separators editors show inside a line.
func cutLine(text string) (line, rest string, breaks int) {
	for i, r := range text {
		switch r {
		case '\n':
			return text[:i], text[i+1:], 1
		case '\r':
			if strings.HasPrefix(text[i+1:], "\n") {
				return text[:i], text[i+2:], 1
			}
			return text[:i], text[i+1:], 1
		case '\v', '\f', '\x1c', '\x1d', '\x1e', '\u0085', '\u2028', '\u2029':
			return text[:i], text[i+len(string(r)):], 0
		}
	}
	return text, "", 1
}

// file reads one requirements file and, recursively, its includes.
// constraint is true for a file read through -c (or through -r from such a
// file, as pip reads it): its entries only pin versions, they are not asked
// for, so none of them is Direct.
func (w *walker) file(name string, content []byte, depth int, constraint bool) error {
	w.active[name] = true
	defer delete(w.active, name)
	w.done[name] = true

	first := len(w.pkgs)
	viaTarget := -1             // index in w.pkgs of the requirement "# via" lines describe
	inVia := false              // inside a "# via" block
	hasVia := map[int]bool{}    // packages annotated with "# via"
	viaDirect := map[int]bool{} // ... whose annotations name an input file

	text := string(content)
	text = strings.TrimPrefix(text, "\ufeff")
	lineNo := 0
	for len(text) > 0 {
		// Assemble one logical line as pip's join_lines does: a line ending in
		// "\" continues on the next, unless it is (or ends in) a comment.
		start := lineNo + 1
		var line string
		var breaks int
		line, text, breaks = cutLine(text)
		lineNo += breaks
		if strings.HasSuffix(line, "\\") && !hasComment(line) {
			var logical strings.Builder
			logical.WriteString(strings.Trim(line, "\\"))
			for len(text) > 0 {
				var raw string
				raw, text, breaks = cutLine(text)
				lineNo += breaks
				if !strings.HasSuffix(raw, "\\") || hasComment(raw) {
					if hasComment(raw) {
						raw = " " + raw // a comment ends the requirement
					}
					logical.WriteString(raw)
					break
				}
				logical.WriteString(strings.Trim(raw, "\\"))
			}
			line = logical.String()
		}
		trimmed := strings.TrimSpace(line)

		if strings.HasPrefix(trimmed, "#") {
			body := trimmed[1:]
			entry, isVia := strings.CutPrefix(strings.TrimSpace(body), "via")
			switch {
			case viaTarget >= 0 && isVia && (entry == "" || entry[0] == ' ' || entry[0] == '\t'):
				inVia = true
				hasVia[viaTarget] = true
				if namesInput(strings.TrimSpace(entry)) {
					viaDirect[viaTarget] = true
				}
			case inVia && strings.HasPrefix(body, "  "):
				if namesInput(strings.TrimSpace(body)) {
					viaDirect[viaTarget] = true
				}
			default:
				inVia = false
			}
			continue
		}
		inVia = false
		viaTarget = -1
		req := stripComment(line)
		if req == "" {
			continue
		}
		if req[0] == '-' {
			added, err := w.option(name, start, req, depth, constraint)
			if err != nil {
				return err
			}
			if added {
				viaTarget = len(w.pkgs) - 1
			}
			continue
		}
		p, err := parseRequirement(name, start, req)
		if err != nil {
			return err
		}
		w.pkgs = append(w.pkgs, p)
		viaTarget = len(w.pkgs) - 1
		if len(w.pkgs) > w.limits.MaxPackages {
			return lockfiles.LimitErrorf(name, start, "more than %d packages", w.limits.MaxPackages)
		}
	}
	for i := first; i < len(w.pkgs); i++ {
		if w.pkgs[i].Path != name {
			continue // from an included file, classified there
		}
		w.pkgs[i].Direct = !constraint && (!hasVia[i] || viaDirect[i])
	}
	return nil
}

// namesInput reports whether a "# via" entry names an input file or a project
// file, i.e. the requirement was asked for, not pulled in by another package.
func namesInput(entry string) bool {
	return strings.HasPrefix(entry, "-r ") ||
		strings.HasSuffix(entry, "(pyproject.toml)") ||
		strings.HasSuffix(entry, "(setup.py)") ||
		strings.HasSuffix(entry, "(setup.cfg)")
}

// hasComment reports whether line holds a comment: "#" at its start or after
// whitespace (pip's COMMENT_RE).
func hasComment(line string) bool {
	return commentStart(line) >= 0
}

func commentStart(line string) int {
	for i := 0; i < len(line); i++ {
		if line[i] == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			return i
		}
	}
	return -1
}

// stripComment removes a comment and surrounding whitespace.
func stripComment(line string) string {
	if i := commentStart(line); i >= 0 {
		line = line[:i]
	}
	return strings.TrimSpace(line)
}

// option handles a line starting with "-": includes and editables (added
// reports an editable package); every other option (index URLs,
// --find-links, ...) is skipped.
func (w *walker) option(name string, line int, req string, depth int, constraint bool) (added bool, err error) {
	opt, value := splitOption(req)
	switch opt {
	case "-r", "--requirement":
		return false, w.include(name, line, value, depth, constraint)
	case "-c", "--constraint":
		return false, w.include(name, line, value, depth, true)
	case "-e", "--editable":
		if value == "" {
			return false, lockfiles.Errorf(name, line, "%s without a value", opt)
		}
		p, err := parseDirectReference(name, line, "", value)
		if err != nil {
			return false, err
		}
		if p.Source == lockfiles.SourceLocal && !isURL(value) {
			w.nameLocal(&p, name, value)
		}
		w.pkgs = append(w.pkgs, p)
		return true, nil
	}
	return false, nil
}

// splitOption splits "-rfile", "-r file", "--requirement=file" and
// "--requirement file" into the option and its first value token.
func splitOption(req string) (opt, value string) {
	if strings.HasPrefix(req, "--") {
		end := strings.IndexAny(req, "= \t")
		if end < 0 {
			return req, ""
		}
		opt, value = req[:end], req[end+1:]
	} else {
		if len(req) < 2 {
			return req, ""
		}
		opt, value = req[:2], req[2:]
	}
	value = strings.TrimLeft(value, " \t=")
	if i := strings.IndexAny(value, " \t"); i >= 0 {
		value = value[:i]
	}
	return opt, value
}

// include reads the file an -r or -c line names.
func (w *walker) include(name string, line int, target string, depth int, constraint bool) error {
	if target == "" {
		return lockfiles.Errorf(name, line, "include without a file name")
	}
	if isURL(target) {
		return nil // a remote include cannot be read offline
	}
	if err := w.ctx.Err(); err != nil {
		return err
	}
	if path.IsAbs(target) {
		return lockfiles.Errorf(name, line, "include %q is an absolute path, outside the scanned tree", target)
	}
	p := path.Join(path.Dir(name), target)
	if !fs.ValidPath(p) {
		return lockfiles.Errorf(name, line, "include %q leaves the scanned tree", target)
	}
	if w.active[p] {
		return lockfiles.Errorf(name, line, "include cycle: %s is already being read", p)
	}
	if w.done[p] {
		return nil // its packages are already reported
	}
	if depth+1 > w.limits.MaxIncludes {
		return lockfiles.LimitErrorf(name, line, "includes nested deeper than %d", w.limits.MaxIncludes)
	}
	if w.fsys == nil {
		return lockfiles.Errorf(name, line, "cannot read include %q: no file system given", target)
	}
	content, err := lockfiles.ReadFileLimited(w.fsys, p, w.limits.MaxFileSize)
	if err != nil {
		var pe *lockfiles.ParseError
		if errors.As(err, &pe) {
			return lockfiles.LimitErrorf(name, line, "include %s: %v", p, pe.Err)
		}
		return lockfiles.Errorf(name, line, "include %s: %v", p, err)
	}
	return w.file(p, content, depth+1, constraint)
}

// parseRequirement parses one requirement line (comments already removed):
// the requirement itself and its per-requirement options.
func parseRequirement(file string, line int, req string) (lockfiles.Package, error) {
	// pip's break_args_options: the requirement runs up to the first
	// whitespace-separated token that starts with "-"; options follow.
	fields := strings.Fields(req)
	n := 0
	for n < len(fields) && !strings.HasPrefix(fields[n], "-") {
		n++
	}
	args := fields[:n]
	var hashes []string
	for i := n; i < len(fields); i++ {
		// Of the per-requirement options only --hash matters here.
		if v, ok := strings.CutPrefix(fields[i], "--hash="); ok {
			if v != "" {
				hashes = append(hashes, v)
			}
		} else if fields[i] == "--hash" && i+1 < len(fields) {
			hashes = append(hashes, fields[i+1])
			i++
		}
	}
	spec := strings.Join(args, " ")
	p, err := parseSpec(file, line, spec)
	if err != nil {
		return p, err
	}
	p.Integrity = strings.Join(hashes, " ")
	return p, nil
}

// parseSpec parses a PEP 508 requirement or a direct reference (URL, path).
func parseSpec(file string, line int, spec string) (lockfiles.Package, error) {
	name, rest := cutName(spec)
	if name != "" {
		rest = strings.TrimLeft(rest, " \t")
		if strings.HasPrefix(rest, "[") {
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return lockfiles.Package{}, lockfiles.Errorf(file, line, "invalid requirement %q: unclosed extras", spec)
			}
			rest = strings.TrimLeft(rest[end+1:], " \t")
		}
		if strings.HasPrefix(rest, "@") {
			url := strings.TrimSpace(rest[1:])
			if i := strings.IndexAny(url, " \t;"); i >= 0 {
				url = url[:i]
			}
			if url == "" {
				return lockfiles.Package{}, lockfiles.Errorf(file, line, "invalid requirement %q: no URL after @", spec)
			}
			return parseDirectReference(file, line, name, url)
		}
		if rest == "" || rest[0] == ';' || isOperatorStart(rest[0]) || rest[0] == '(' {
			marker := strings.IndexByte(rest, ';')
			if marker >= 0 {
				rest = rest[:marker]
			}
			version, err := pinnedVersion(strings.TrimSpace(rest))
			if err != nil {
				return lockfiles.Package{}, lockfiles.Errorf(file, line, "invalid requirement %q: %v", spec, err)
			}
			p := newPackage(file, line, name, version)
			if version == "" {
				p.Source = lockfiles.SourceUnpinned
			}
			return p, nil
		}
	}
	if isURL(spec) || isPath(spec) {
		ref, after, _ := strings.Cut(spec, " ")
		if after = strings.TrimSpace(after); after != "" && after[0] != ';' {
			return lockfiles.Package{}, lockfiles.Errorf(file, line, "invalid requirement %q: unexpected text after %q", spec, ref)
		}
		return parseDirectReference(file, line, "", ref)
	}
	return lockfiles.Package{}, lockfiles.Errorf(file, line, "invalid requirement %q", spec)
}

func newPackage(file string, line int, name, version string) lockfiles.Package {
	return lockfiles.Package{
		Ecosystem: lockfiles.EcosystemPyPI,
		Name:      name,
		Version:   version,
		Path:      file,
		Line:      line,
		Direct:    true,
		PURL:      lockfiles.PURL(lockfiles.EcosystemPyPI, name, version, nil),
	}
}

// cutName splits a leading distribution name (PEP 508 identifier characters)
// from the rest; name is "" when the start is not a valid name.
func cutName(s string) (name, rest string) {
	i := 0
	for i < len(s) && isNameChar(s[i]) {
		i++
	}
	name = s[:i]
	if name == "" || !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) {
		return "", s
	}
	return name, s[i:]
}

func isNameChar(c byte) bool { return isAlnum(c) || c == '.' || c == '_' || c == '-' }

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isOperatorStart(c byte) bool { return c == '=' || c == '<' || c == '>' || c == '!' || c == '~' }

// pinnedVersion validates a version specifier list and returns the version
// when it pins exactly one (== without wildcard, or ===), else "".
func pinnedVersion(spec string) (string, error) {
	spec = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(spec, "("), ")"))
	if spec == "" {
		return "", nil
	}
	clauses := strings.Split(spec, ",")
	pinned := ""
	for _, c := range clauses {
		c = strings.TrimSpace(c)
		op := ""
		for _, o := range []string{"===", "==", "!=", "<=", ">=", "~=", "<", ">"} {
			if strings.HasPrefix(c, o) {
				op = o
				break
			}
		}
		if op == "" {
			return "", errors.New("expected a version operator in " + quote(c))
		}
		v := strings.TrimSpace(c[len(op):])
		if v == "" {
			return "", errors.New("operator " + op + " without a version")
		}
		if strings.ContainsAny(v, " \t") {
			return "", errors.New("unexpected text in version " + quote(v))
		}
		if len(clauses) == 1 && (op == "===" || op == "==" && !strings.Contains(v, "*")) && !strings.Contains(v, "${") {
			pinned = v
		}
	}
	return pinned, nil
}

func quote(s string) string { return `"` + s + `"` }

// isURL reports whether s starts with a URL scheme ("https://", "git+ssh://",
// "file:").
func isURL(s string) bool {
	if strings.HasPrefix(s, "file:") {
		return true
	}
	scheme, _, ok := strings.Cut(s, "://")
	if !ok || scheme == "" {
		return false
	}
	for i := 0; i < len(scheme); i++ {
		c := scheme[i]
		if !(isAlnum(c) || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// isPath reports whether s looks like a local path or archive, as pip decides
// for requirements that are not PEP 508 names.
func isPath(s string) bool {
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "/") || strings.HasPrefix(s, "~") ||
		strings.ContainsAny(s, "/\\") {
		return true
	}
	_, _, ok := archiveNameVersion(s)
	return ok
}

// parseDirectReference builds the package of a URL or path requirement.
// name is the requirement's own name, or "" to derive one.
func parseDirectReference(file string, line int, name, ref string) (lockfiles.Package, error) {
	ref = strings.TrimSpace(ref)
	loc, fragment, _ := strings.Cut(ref, "#")
	var source string
	var vcsURL string
	switch {
	case strings.HasPrefix(ref, "git+"):
		source = lockfiles.SourceGit
		vcsURL = loc
	case strings.HasPrefix(ref, "file:") || !isURL(ref):
		source = lockfiles.SourceLocal
	default:
		// http(s) archives, and hg+/svn+/bzr+ repositories (not git: "url").
		source = lockfiles.SourceURL
	}
	if name == "" {
		name = eggName(fragment)
	}
	// Drop a trailing [extras] on paths ("-e .[dev]").
	if source == lockfiles.SourceLocal {
		if i := strings.LastIndexByte(loc, '['); i > 0 && strings.HasSuffix(loc, "]") {
			loc = loc[:i]
			ref = loc
		}
	}
	fileName := loc
	if i := strings.IndexAny(fileName, "?"); i >= 0 {
		fileName = fileName[:i]
	}
	fileName = path.Base(strings.TrimRight(strings.ReplaceAll(fileName, "\\", "/"), "/"))
	version := ""
	if n, v, ok := archiveNameVersion(fileName); ok {
		if name == "" {
			name = n
		}
		if lockfiles.NormalizeName(lockfiles.EcosystemPyPI, n) == lockfiles.NormalizeName(lockfiles.EcosystemPyPI, name) {
			version = v
		}
	}
	if name == "" && source == lockfiles.SourceGit {
		// git+https://host/org/repo.git@ref: the repository name.
		repo := loc
		if i := strings.LastIndexByte(repo, '@'); i > strings.LastIndexByte(repo, '/') {
			repo = repo[:i]
		}
		name = strings.TrimSuffix(path.Base(repo), ".git")
	}
	if name == "" || name == "/" {
		name = fileName
	}
	if name == "" || name == "/" {
		return lockfiles.Package{}, lockfiles.Errorf(file, line, "cannot tell the name of %q", ref)
	}
	p := newPackage(file, line, name, version)
	p.Source = source
	p.Resolved = ref
	var qualifiers map[string]string
	switch source {
	case lockfiles.SourceGit:
		if at := strings.LastIndexByte(vcsURL, '@'); at > strings.LastIndexByte(vcsURL, '/') {
			p.PinnedSHA = lockfiles.IsCommitSHA(vcsURL[at+1:])
		}
		qualifiers = map[string]string{"vcs_url": loc}
	case lockfiles.SourceURL:
		qualifiers = map[string]string{"download_url": loc}
	}
	p.PURL = lockfiles.PURL(lockfiles.EcosystemPyPI, name, version, qualifiers)
	return p, nil
}

// eggName returns the project name of a "#egg=name[extras]" URL fragment.
func eggName(fragment string) string {
	for _, kv := range strings.Split(fragment, "&") {
		if v, ok := strings.CutPrefix(kv, "egg="); ok {
			if i := strings.IndexByte(v, '['); i >= 0 {
				v = v[:i]
			}
			if n, rest := cutName(v); rest == "" {
				return n
			}
		}
	}
	return ""
}

// archiveNameVersion reads the name and version from a wheel file name
// ({name}-{version}(-{build})?-{python}-{abi}-{platform}.whl) or an sdist
// ({name}-{version}.tar.gz, .zip, ...).
func archiveNameVersion(file string) (name, version string, ok bool) {
	if stem, isWheel := strings.CutSuffix(file, ".whl"); isWheel {
		parts := strings.Split(stem, "-")
		if len(parts) < 5 || parts[0] == "" || parts[1] == "" {
			return "", "", false
		}
		return parts[0], parts[1], true
	}
	for _, ext := range []string{".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz", ".tar"} {
		stem, isSdist := strings.CutSuffix(file, ext)
		if !isSdist {
			continue
		}
		// The version starts after the last "-" followed by a digit.
		for i := len(stem) - 2; i > 0; i-- {
			if stem[i] == '-' && stem[i+1] >= '0' && stem[i+1] <= '9' {
				return stem[:i], stem[i+1:], true
			}
		}
		return "", "", false
	}
	return "", "", false
}

// nameLocal names a local project ("-e .", "-e ./libs/tool") from the
// metadata it declares: [project] name or [tool.poetry] name in its
// pyproject.toml, else [metadata] name in its setup.cfg. Nothing is run
// (setup.py is never read). Without such metadata the name stays the
// directory's ("." and no purl for the directory of the requirements file).
func (w *walker) nameLocal(p *lockfiles.Package, file, ref string) {
	loc, _, _ := strings.Cut(ref, "#")
	if i := strings.LastIndexByte(loc, '['); i > 0 && strings.HasSuffix(loc, "]") {
		loc = loc[:i]
	}
	loc = strings.TrimPrefix(loc, "file:")
	dir := path.Join(path.Dir(file), strings.ReplaceAll(loc, "\\", "/"))
	if n := projectName(w.fsys, dir, w.limits.MaxFileSize); n != "" {
		p.Name = n
		p.PURL = lockfiles.PURL(lockfiles.EcosystemPyPI, n, p.Version, nil)
	}
}

// projectName reads a Python project's declared name in dir, or "".
func projectName(fsys fs.FS, dir string, maxSize int64) string {
	if fsys == nil || !fs.ValidPath(dir) {
		return ""
	}
	if b, err := lockfiles.ReadFileLimited(fsys, path.Join(dir, "pyproject.toml"), maxSize); err == nil {
		var meta struct {
			Project struct{ Name string } `toml:"project"`
			Tool    struct {
				Poetry struct{ Name string } `toml:"poetry"`
			} `toml:"tool"`
		}
		if tomltree.CheckDepth(b, lockfiles.DefaultMaxDepth) == nil && toml.Unmarshal(b, &meta) == nil {
			for _, n := range []string{meta.Project.Name, meta.Tool.Poetry.Name} {
				if n, _ := cutName(strings.TrimSpace(n)); n != "" {
					return n
				}
			}
		}
	}
	if b, err := lockfiles.ReadFileLimited(fsys, path.Join(dir, "setup.cfg"), maxSize); err == nil {
		section := ""
		for _, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
				section = strings.TrimSpace(line[1 : len(line)-1])
				continue
			}
			if k, v, ok := strings.Cut(line, "="); ok && section == "metadata" && strings.TrimSpace(k) == "name" {
				if n, rest := cutName(strings.TrimSpace(v)); n != "" && rest == "" {
					return n
				}
			}
		}
	}
	return ""
}
