package gomod

import (
	"bytes"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

// modRequire, modReplace and modExclude are the parts of a go.mod this parser
// uses, filled either by scanFast or from a modfile.File.
type modRequire struct {
	mod      module.Version
	line     int
	indirect bool
}

type modReplace struct {
	old, new module.Version
	line     int
}

type modExclude struct {
	mod  module.Version
	line int
}

type modData struct {
	require []modRequire
	replace []modReplace
	exclude []modExclude
}

// fromModfile copies what Parse uses out of a parsed modfile.File.
func fromModfile(f *modfile.File) *modData {
	d := &modData{require: make([]modRequire, 0, len(f.Require))}
	for _, r := range f.Require {
		d.require = append(d.require, modRequire{mod: r.Mod, line: lineOf(r.Syntax), indirect: r.Indirect})
	}
	for _, r := range f.Replace {
		d.replace = append(d.replace, modReplace{old: r.Old, new: r.New, line: lineOf(r.Syntax)})
	}
	for _, x := range f.Exclude {
		d.exclude = append(d.exclude, modExclude{mod: x.Mod, line: lineOf(x.Syntax)})
	}
	return d
}

// scanFast reads the common shape of go.mod (module, go, toolchain, require,
// replace, exclude, tool and ignore lines and blocks, // comments, plain tokens) about ten
// times faster than modfile.Parse, which allocates a syntax tree and lexes
// rune by rune; go.mod files of large projects run to hundreds of lines. It
// applies modfile's own checks (canonical versions, path major versions,
// directory replacements) and gives up (ok=false) on anything else: quoted
// strings, other directives, unusual characters, CR, any invalid line. The
// caller then runs modfile.Parse, so errors and rare syntax keep modfile's
// exact behaviour; FuzzFastPathMatchesModfile checks that the two agree.
func scanFast(data []byte) (d *modData, ok bool) {
	for _, c := range data {
		// Quotes, CR, tabs are the only things beyond plain ASCII tokens we
		// would need modfile's lexer for; non-ASCII and control bytes too.
		if c == '"' || c == '`' || c == '\r' || c >= 0x7f || (c < ' ' && c != '\t' && c != '\n') {
			return nil, false
		}
	}
	d = &modData{require: make([]modRequire, 0, bytes.Count(data, []byte{'\n'}))}
	var seenModule, seenGo, seenToolchain bool
	block := "" // the verb of the open block, if any
	lineNo := 0
	var fields []string
	for len(data) > 0 {
		var raw []byte
		raw, data, _ = bytes.Cut(data, []byte{'\n'})
		lineNo++
		line := string(raw)
		code, comment, _ := strings.Cut(line, "//")
		fields = appendFields(fields[:0], code)
		if len(fields) == 0 {
			continue
		}
		if block != "" && len(fields) == 1 && fields[0] == ")" {
			block = ""
			continue
		}
		if block == "" && len(fields) == 2 && fields[1] == "(" {
			switch fields[0] {
			case "require", "replace", "exclude", "tool", "ignore":
				block = fields[0]
				continue
			}
			return nil, false
		}
		for _, f := range fields {
			if !plainToken(f) {
				return nil, false
			}
		}
		if block != "" {
			if !d.statement(block, fields, comment, lineNo) {
				return nil, false
			}
			continue
		}
		verb, args := fields[0], fields[1:]
		switch verb {
		case "module":
			if seenModule || len(args) != 1 {
				return nil, false
			}
			seenModule = true
		case "go":
			if seenGo || len(args) != 1 || !modfile.GoVersionRE.MatchString(args[0]) {
				return nil, false
			}
			seenGo = true
		case "toolchain":
			if seenToolchain || len(args) != 1 || !modfile.ToolchainRE.MatchString(args[0]) {
				return nil, false
			}
			seenToolchain = true
		default:
			if !d.statement(verb, args, comment, lineNo) {
				return nil, false
			}
		}
	}
	if block != "" { // unclosed block: let modfile report it
		return nil, false
	}
	return d, true
}

// statement handles one require, replace or exclude with its arguments.
func (d *modData) statement(verb string, args []string, comment string, line int) bool {
	switch verb {
	case "require", "exclude":
		if len(args) != 2 {
			return false
		}
		v, ok := checkedVersion(args[0], args[1])
		if !ok {
			return false
		}
		m := module.Version{Path: args[0], Version: v}
		if verb == "exclude" {
			d.exclude = append(d.exclude, modExclude{mod: m, line: line})
			return true
		}
		// As modfile's isIndirect: the suffix comment is "indirect" or starts "indirect;".
		f := strings.Fields(comment)
		indirect := len(f) == 1 && f[0] == "indirect" || len(f) > 1 && f[0] == "indirect;"
		d.require = append(d.require, modRequire{mod: m, line: line, indirect: indirect})
		return true
	case "tool", "ignore":
		// Not packages (tool names packages of required modules); one argument.
		return len(args) == 1
	case "replace":
		// As modfile's parseReplace: old [version] => new [version].
		arrow := 2
		if len(args) >= 2 && args[1] == "=>" {
			arrow = 1
		}
		if len(args) < arrow+2 || len(args) > arrow+3 || args[arrow] != "=>" {
			return false
		}
		r := modReplace{old: module.Version{Path: args[0]}, line: line}
		if _, _, ok := module.SplitPathVersion(args[0]); !ok {
			return false
		}
		if arrow == 2 {
			v, ok := checkedVersion(args[0], args[1])
			if !ok {
				return false
			}
			r.old.Version = v
		}
		r.new.Path = args[arrow+1]
		if len(args) == arrow+2 {
			if !modfile.IsDirectoryPath(r.new.Path) || strings.Contains(r.new.Path, `\`) {
				return false
			}
		} else {
			v, ok := checkedVersion(r.new.Path, args[arrow+2])
			if !ok || modfile.IsDirectoryPath(r.new.Path) {
				return false
			}
			r.new.Version = v
		}
		d.replace = append(d.replace, r)
		return true
	}
	return false
}

// checkedVersion applies modfile's version checks for path@vers (canonical
// form, major version matching the path) and returns the canonical version.
func checkedVersion(path, vers string) (string, bool) {
	cv := module.CanonicalVersion(vers)
	if cv == "" {
		return "", false
	}
	_, major, ok := module.SplitPathVersion(path)
	if !ok || module.CheckPathMajor(cv, major) != nil {
		return "", false
	}
	return cv, true
}

// plainToken reports whether tok uses only characters that need no quoting
// and that modfile lexes as one identifier token (or is "=>").
func plainToken(tok string) bool {
	if tok == "=>" {
		return true
	}
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.', c == '-', c == '_', c == '~', c == '+', c == '/':
		default:
			return false
		}
	}
	return true
}

// appendFields splits s at spaces and tabs, like strings.Fields for ASCII,
// reusing dst.
func appendFields(dst []string, s string) []string {
	start := -1
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] == '\t' {
			if start >= 0 {
				dst = append(dst, s[start:i])
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		dst = append(dst, s[start:])
	}
	return dst
}
