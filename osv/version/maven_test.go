package version

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
	"github.com/tollgate-dev/tollgate/osv/osvtest"
)

// The ordered lists and equalities below are those of Maven 3.9's
// ComparableVersionTest (VERSIONS_QUALIFIER, VERSIONS_NUMBER,
// testVersionsEqual, testVersionComparing, MNG-5568, MNG-6572, MNG-6964,
// MNG-7644).

var mavenVersionsQualifier = []string{
	"1-alpha2snapshot", "1-alpha2", "1-alpha-123", "1-beta-2", "1-beta123", "1-m2", "1-m11", "1-rc", "1-cr2",
	"1-rc123", "1-SNAPSHOT", "1", "1-sp", "1-sp2", "1-sp123", "1-abc", "1-def", "1-pom-1", "1-1-snapshot",
	"1-1", "1-2", "1-123",
}

var mavenVersionsNumber = []string{
	"2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1", "2.1.0.1", "2.2",
	"2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m",
}

// mavenRealOrdered are real Maven versions in ascending order: from the OSV
// Maven records in shared/data (gson, jackson-databind, commons-text,
// log4j-core, azure-identity, msal4j, including the "2.0-alpha1" and
// "<= 2.13.2.0" their texts name), from the Gradle verification metadata
// fixture shared/data/lockfiles/fixtures-osv-scalibr/gradleverificationmetadataxml/odd-versions.xml,
// and well-known Maven Central release names (log4j 2.15.0-rc1, Jetty's
// .vDATE, Hibernate's .Final, Spring's .RELEASE, Maven plugins' -M1).
var mavenRealOrdered = []string{
	"0",
	"v3-rev20231115-2.0.0", // a string first: below every number but 0
	"0.0.9-alpha02",
	"0.0.20131108.vaadin1",
	"0.1.0-rc2",
	"0.1.0",
	"1.0.0-beta10",
	"1.0-rc4",
	"1.0.0-SNAPSHOT",
	"1.0.0.Final",
	"1.2.17",
	"1.5",
	"1.9",
	"1.9.22",
	"1.9.22-1.0.17",
	"1.10.0",
	"1.10.0.1",
	"1.12.2",
	"1.15.1",
	"2.0-alpha1",
	"2.0.0-beta-1",
	"2.0.0",
	"2.0.0-deprecated-use-gradle-api",
	"2.3.1",
	"2.8.9",
	"2.12.2",
	"2.12.6",
	"2.12.6.1",
	"2.13.0",
	"2.13.2",
	"2.13.2.1",
	"2.15.0-rc1",
	"2.15.0-rc2",
	"2.15.0",
	"2.16.0",
	"3.0.0-beta-1",
	"3.0.0-M1",
	"3.0.0-M9",
	"3.0.0-RC1",
	"3.0.0",
	"4.1.93.Final",
	"4.1.94.Final",
	"5.2.9.RELEASE",
	"5.3.0-RC1",
	"5.3.0",
	"8.3.0",
	"8.3.0-10880808",
	"8.3.1",
	"9+181-r4173-1",
	"9.0.0_r3",
	"9.4.31",
	"9.4.31.v20200723",
	"9.4.31.1",
	"9.4.32.v20200930",
	"32.0.0-android",
	"32.0.0-jre",
	"32.0.1-jre",
	"32.1.3-jre",
	"9999.0-empty-to-avoid-conflict-with-guava",
	"20180813",
}

func mavenMust(t testing.TB, s string) Version {
	t.Helper()
	v, err := Parse("Maven", s)
	if err != nil {
		t.Fatalf("Parse(Maven, %q): %v", s, err)
	}
	return v
}

// checkMavenOrder asserts Compare(a, b) == want and Compare(b, a) == -want.
func checkMavenOrder(t *testing.T, a, b string, want int) {
	t.Helper()
	va, vb := mavenMust(t, a), mavenMust(t, b)
	if got := va.Compare(vb); got != want {
		t.Errorf("Compare(%q, %q) = %d, want %d", a, b, got, want)
	}
	if got := vb.Compare(va); got != -want {
		t.Errorf("Compare(%q, %q) = %d, want %d", b, a, got, -want)
	}
}

func TestMavenOrderedLists(t *testing.T) {
	for name, list := range map[string][]string{
		"VERSIONS_QUALIFIER": mavenVersionsQualifier,
		"VERSIONS_NUMBER":    mavenVersionsNumber,
		"real":               mavenRealOrdered,
	} {
		t.Run(name, func(t *testing.T) {
			for i := range list {
				for j := i + 1; j < len(list); j++ {
					checkMavenOrder(t, list[i], list[j], -1)
				}
			}
		})
	}
}

func TestMavenCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		// testVersionsEqual
		{"1", "1", 0},
		{"1", "1.0", 0},
		{"1", "1.0.0", 0},
		{"1.0", "1.0.0", 0},
		{"1", "1-0", 0},
		{"1", "1.0-0", 0},
		{"1.0", "1.0-0", 0},
		{"1a", "1-a", 0},
		{"1a", "1.0-a", 0},
		{"1a", "1.0.0-a", 0},
		{"1.0a", "1-a", 0},
		{"1.0.0a", "1-a", 0},
		{"1x", "1-x", 0},
		{"1x", "1.0-x", 0},
		{"1x", "1.0.0-x", 0},
		{"1.0x", "1-x", 0},
		{"1.0.0x", "1-x", 0},
		{"1ga", "1", 0},
		{"1-ga", "1", 0},
		{"1release", "1", 0},
		{"1final", "1", 0},
		{"1.0-final", "1", 0},
		{"1cr", "1rc", 0},
		{"1a1", "1-alpha-1", 0},
		{"1a1", "1alpha1", 0},
		{"1b2", "1-beta-2", 0},
		{"1m3", "1-milestone-3", 0},
		{"1m1", "1milestone1", 0},
		{"1X", "1x", 0},
		{"1A", "1a", 0},
		{"1B", "1b", 0},
		{"1M", "1m", 0},
		{"1Ga", "1", 0},
		{"1GA", "1", 0},
		{"1RELEASE", "1", 0},
		{"1RELeaSE", "1", 0},
		{"1Final", "1", 0},
		{"1FinaL", "1", 0},
		{"1FINAL", "1", 0},
		{"1Cr", "1Rc", 0},
		{"1cR", "1rC", 0},
		{"1m3", "1Milestone3", 0},
		{"1m3", "1MileStone3", 0},
		{"1m3", "1MILESTONE3", 0},
		{"1-abcdefghijklmnopqrstuvwxyz", "1-ABCDEFGHIJKLMNOPQRSTUVWXYZ", 0},
		// a, b and m are aliases only when a digit follows.
		{"1a", "1-alpha", 1},
		{"1-a", "1-alpha", 1},
		{"1-m", "1-milestone", 1},
		// testVersionComparing
		{"1", "2", -1},
		{"1.5", "2", -1},
		{"1", "2.5", -1},
		{"1.0", "1.1", -1},
		{"1.1", "1.2", -1},
		{"1.0.0", "1.1", -1},
		{"1.0.1", "1.1", -1},
		{"1.1", "1.2.0", -1},
		{"1.0-alpha-1", "1.0", -1},
		{"1.0-alpha-1", "1.0-alpha-2", -1},
		{"1.0-alpha-1", "1.0-beta-1", -1},
		{"1.0-beta-1", "1.0-SNAPSHOT", -1},
		{"1.0-SNAPSHOT", "1.0", -1},
		{"1.0-alpha-1-SNAPSHOT", "1.0-alpha-1", -1},
		{"1.0", "1.0-1", -1},
		{"1.0-1", "1.0-2", -1},
		{"1.0.0", "1.0-1", -1},
		{"2.0-1", "2.0.1", -1},
		{"2.0.1-klm", "2.0.1-lmn", -1},
		{"2.0.1", "2.0.1-xyz", -1},
		{"2.0.1", "2.0.1-123", -1},
		{"2.0.1-xyz", "2.0.1-123", -1},
		// MNG-5568: transitivity around "6.1H.5-beta".
		{"6.1.0rc3", "6.1.0", -1},
		{"6.1.0rc3", "6.1H.5-beta", -1},
		{"6.1.0", "6.1H.5-beta", -1},
		// MNG-6572: numbers of 9, 10, 15 and 20 digits.
		{"20190126.230843", "1234567890.12345", -1},
		{"1234567890.12345", "123456789012345.1H.5-beta", -1},
		{"20190126.230843", "123456789012345.1H.5-beta", -1},
		{"123456789012345.1H.5-beta", "12345678901234567890.1H.5-beta", -1},
		{"1234567890.12345", "12345678901234567890.1H.5-beta", -1},
		{"20190126.230843", "12345678901234567890.1H.5-beta", -1},
		{"0000000000000000001", "1", 0},
		{"000000001", "1", 0},
		{"0000000000000000000", "0", 0},
		{"0000000000000000000", "00", 0},
		// MNG-6964: "1-0.alpha" is below 1, not equal to it.
		{"1-0.alpha", "1", -1},
		{"1-0.beta", "1", -1},
		{"1-0.alpha", "1-0.beta", -1},
		// MNG-7644 and friends named in the task.
		{"1.0.RC1", "1.0-RC1", 0},
		{"1.0.0.RC1", "1.0.0-RC2", -1},
		{"1.0.RC2", "1.0-RC3", -1},
		{"1.0-RC3", "1.0.1", -1},
		{"2.0.a", "2.0.0.a", 0},
		{"2-a", "2.0.a", 0},
		{"1.0.0-SNAPSHOT", "1.0.0", -1},
		{"1.0.0-SNAPSHOT", "1.0.0-rc1", 1},
		// Numbers of any size, never truncated.
		{"1.99999999999999999999999", "1.99999999999999999999998", 1},
		{"1.2147483648", "1.2147483647", 1},
		{"1.9223372036854775808", "1.9223372036854775807", 1},
		{"123456789012345678901234567890", "123456789012345678901234567891", -1},
		{"1.000000000000000000000000000007", "1.7", 0},
		// Qualifier ranks: sp above release, unknown above sp, lexically.
		{"1-sp", "1-ga", 1},
		{"1-sp", "1-zzz", -1},
		{"1-aaa", "1-sp", 1},
		{"1-aaa", "1-aab", -1},
		// string < list < number at the same position.
		{"1.a", "1-1", -1},
		{"1-1", "1.1", -1},
		{"1.a", "1.1", -1},
		{"1.beta.2", "1-alpha", -1}, // "beta" stays a string in the outer list
		// Odd syntax Maven accepts.
		{"1.", "1", 0},
		{"1-", "1", 0},
		{".1", "0.1", 0},
		{"1..1", "1.0.1", 0},
		{"1--1", "1-0-1", 0},
		{"-", "0", 0},
		{"a", "alpha", 1},
		{"SNAPSHOT", "1", -1},
		{"1.0.0 ", "1.0.0", 1},
		// Non-ASCII: digits of any script (Java's Character.isDigit), UTF-16
		// order for qualifiers, bytes that are not UTF-8 read as U+FFFD.
		{"١.٢", "1.2", 0},
		{"１.２.３", "1.2.3", 0},
		{"1-ä", "1-z", 1},
		{"1-Ä", "1-ä", 0},
		{"1-\uFB00", "1-\U0001F600", 1},
		{"1-\U0001F600", "1-\U0001F601", -1},
		{"1-\xff", "1-\xfe", 0},
		{"1-\xff", "1-\uFFFD", 0},
		// Documented divergence from Java: zero-padded parts of 10 or more
		// digits are compared by value here.
		{"1.0000000000.1", "1.0.1", 0},
	}
	for _, tt := range tests {
		checkMavenOrder(t, tt.a, tt.b, tt.want)
	}
}

func TestMavenMng7644(t *testing.T) {
	for _, x := range []string{"abc", "alpha", "a", "beta", "b", "def", "milestone", "m", "RC"} {
		checkMavenOrder(t, "1.0.0."+x+"1", "1.0.0-"+x+"2", -1)
		checkMavenOrder(t, "2-"+x, "2.0."+x, 0)
		checkMavenOrder(t, "2-"+x, "2.0.0."+x, 0)
		checkMavenOrder(t, "2.0."+x, "2.0.0."+x, 0)
	}
}

// mavenSameItems reports whether two parsed versions hold the same items.
func mavenSameItems(a, b []mavenItem) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.kind != y.kind || x.num != y.num || x.rank != y.rank || x.text != y.text || !mavenSameItems(x.list, y.list) {
			return false
		}
	}
	return true
}

// mavenCanonical prints parsed items as ComparableVersion.getCanonical does.
func mavenCanonical(items []mavenItem) string {
	names := [...]string{"alpha", "beta", "milestone", "rc", "snapshot", "", "sp"}
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			if it.kind == mavenList {
				b.WriteByte('-')
			} else {
				b.WriteByte('.')
			}
		}
		switch it.kind {
		case mavenNumber:
			if it.num == "" {
				b.WriteByte('0')
			}
			b.WriteString(it.num)
		case mavenString:
			if it.rank == mavenUnknown {
				b.WriteString(it.text)
			} else {
				b.WriteString(names[it.rank])
			}
		default:
			b.WriteString(mavenCanonical(it.list))
		}
	}
	return b.String()
}

// TestMavenCanonical checks the parsed structure against the canonical forms
// Maven prints (ComparableVersion's main), and, as ComparableVersionTest
// does, that the canonical form parses back to itself.
func TestMavenCanonical(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"1.0.0", "1"},
		{"1.0alpha1", "1-alpha-1"},
		{"1.0.RC1", "1-rc-1"},
		{"1.0-RC1", "1-rc-1"},
		{"1.0.0.X1", "1-x-1"},
		{"1.2.7", "1.2.7"},
		{"1.2-SNAPSHOT", "1.2-snapshot"},
		{"1-0.alpha", "1-alpha"}, // [1, [[alpha]]], printed like [1, [alpha]]
		{"2.0.a", "2-a"},
		{"1.0-final", "1"},
		{"9.4.31.v20200723", "9.4.31-v-20200723"},
		{"4.1.93.Final", "4.1.93"},
		{"32.0.0-jre", "32-jre"},
		{"0001.0002", "1.2"},
	} {
		v := mavenMust(t, tt.in).(mavenVersion)
		if got := mavenCanonical(v.items); got != tt.want {
			t.Errorf("canonical(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	all := append(append(append([]string(nil), mavenVersionsQualifier...), mavenVersionsNumber...), mavenRealOrdered...)
	for _, s := range all {
		c := mavenCanonical(mavenMust(t, s).(mavenVersion).items)
		if c == "" {
			continue // "0": Maven prints nothing
		}
		if got := mavenCanonical(mavenMust(t, c).(mavenVersion).items); got != c {
			t.Errorf("canonical(%q) = %q, but canonical(%q) = %q", s, c, c, got)
		}
	}
}

// TestMavenTotalOrder checks antisymmetry and transitivity over every pair
// and triple of the listed versions.
func TestMavenTotalOrder(t *testing.T) {
	all := append(append(append([]string(nil), mavenVersionsQualifier...), mavenVersionsNumber...), mavenRealOrdered...)
	all = append(all, "1.0.RC1", "1.0-RC1", "6.1H.5-beta", "2.0.0.a", "1.0000000000.1", "1-\xff", "١.٢", "1.0-final")
	vs := make([]Version, len(all))
	for i, s := range all {
		vs[i] = mavenMust(t, s)
	}
	cmp := make([][]int, len(vs))
	for i := range vs {
		cmp[i] = make([]int, len(vs))
		for j := range vs {
			cmp[i][j] = vs[i].Compare(vs[j])
		}
	}
	for i := range vs {
		for j := range vs {
			if cmp[i][j] != -cmp[j][i] {
				t.Errorf("Compare(%q, %q) = %d but Compare(%q, %q) = %d", all[i], all[j], cmp[i][j], all[j], all[i], cmp[j][i])
			}
			for k := range vs {
				if cmp[i][j] <= 0 && cmp[j][k] <= 0 && cmp[i][k] > 0 {
					t.Errorf("%q <= %q <= %q but %q > %q", all[i], all[j], all[k], all[i], all[k])
				}
			}
		}
	}
}

// TestMavenIntransitive pins intransitive triples of Maven 3.9's own
// ComparableVersion, kept for fidelity. A sublist ranks above every string
// at the same position but against a missing item by its contents, so a
// sublist below a release ("-alpha", "-0.alpha" read as [[alpha]]) lands
// above a string above a release ("sp", an unknown word) that '.' left in
// the outer list. Real versions do not mix these at one position.
func TestMavenIntransitive(t *testing.T) {
	checkMavenOrder(t, "1", "1-sp", -1)
	checkMavenOrder(t, "1-sp", "1-0.alpha", -1)
	checkMavenOrder(t, "1-0.alpha", "1", -1)

	checkMavenOrder(t, "1", "1.sp.x", -1)
	checkMavenOrder(t, "1.sp.x", "1-alpha", -1)
	checkMavenOrder(t, "1-alpha", "1", -1)
}

func TestMavenParseBounds(t *testing.T) {
	if _, err := Parse("Maven", ""); err == nil {
		t.Error("Parse(Maven, \"\") succeeded")
	}
	long := strings.Repeat("1.", maxMavenVersion/2)
	if _, err := Parse("Maven", long); err != nil {
		t.Errorf("Parse(Maven, %d bytes): %v", len(long), err)
	}
	if _, err := Parse("Maven", long+"1"); err == nil {
		t.Errorf("Parse(Maven, %d bytes) succeeded", len(long)+1)
	}
	deep := strings.Repeat("-", maxMavenVersion)
	if v := mavenMust(t, deep); v.Compare(mavenMust(t, "0")) != 0 {
		t.Errorf("%q != 0", deep)
	}
	deep = strings.Repeat("a1", maxMavenVersion/2)
	if v := mavenMust(t, deep); v.Compare(mavenMust(t, deep[:len(deep)-1]+"2")) >= 0 {
		t.Errorf("%q >= itself ending in 2", deep)
	}
}

// TestMavenRealRecords evaluates every range of the OSV Maven records in
// shared/data: each event parses and the events of a range ascend.
func TestMavenRealRecords(t *testing.T) {
	path := shareddata.Path(t, "osv", "vulns", "Maven", "all.zip")
	type event struct {
		Introduced   string `json:"introduced"`
		Fixed        string `json:"fixed"`
		LastAffected string `json:"last_affected"`
	}
	var record struct {
		ID       string `json:"id"`
		Affected []struct {
			Package struct {
				Ecosystem string `json:"ecosystem"`
			} `json:"package"`
			Ranges []struct {
				Type   string  `json:"type"`
				Events []event `json:"events"`
			} `json:"ranges"`
			Versions         []string `json:"versions"`
			DatabaseSpecific struct {
				LastKnown string `json:"last_known_affected_version_range"`
			} `json:"database_specific"`
		} `json:"affected"`
	}
	ranges := 0
	entries := osvtest.ReadZip(t, path)
	for _, f := range entries {
		record.Affected = nil
		if err := json.Unmarshal(f.Data, &record); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		for _, a := range record.Affected {
			if a.Package.Ecosystem != "Maven" {
				continue
			}
			for _, v := range a.Versions {
				mavenMust(t, v)
			}
			for _, r := range a.Ranges {
				if r.Type != "ECOSYSTEM" {
					continue
				}
				ranges++
				var prev Version
				for _, e := range r.Events {
					s := e.Introduced + e.Fixed + e.LastAffected
					v := mavenMust(t, s)
					if prev != nil && prev.Compare(v) >= 0 {
						t.Errorf("%s: event %q does not follow %q", record.ID, s, prev)
					}
					prev = v
					// "<= 2.13.2.0" names the last affected version below "fixed".
					if last, ok := strings.CutPrefix(a.DatabaseSpecific.LastKnown, "<= "); ok && e.Fixed != "" {
						checkMavenOrder(t, last, e.Fixed, -1)
					}
				}
			}
		}
	}
	if ranges == 0 {
		t.Fatal("no Maven ECOSYSTEM ranges read")
	}
	t.Logf("%d Maven ranges in %d records", ranges, len(entries))
}

func BenchmarkMavenCompare(b *testing.B) {
	x := mavenMust(b, "9.4.31.v20200723")
	y := mavenMust(b, "9.4.31.v20200930")
	for b.Loop() {
		x.Compare(y)
	}
}

func BenchmarkMavenParse(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		if _, err := Parse("Maven", "2.15.0-rc"+strconv.Itoa(i&7)); err != nil {
			b.Fatal(err)
		}
	}
}
