package gradlelock

import (
	"testing"

	lt "github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

// gradleSource is where the expectations below come from: no Gradle runs
// here, so they are read from Gradle's own reader, LockFileReaderWriter
// (platforms/software/dependency-management, org.gradle.internal.locking).
// It reads gradle.lockfile with Files.lines (BufferedReader.readLine: "\n",
// "\r" and "\r\n" each end a line), drops lines that are empty or start with
// "#" (untrimmed), collects "empty=" and splits every other line at "=".
const gradleSource = "Gradle LockFileReaderWriter.readUniqueLockFile (Files.lines)"

var gradleReadings = []lt.Reading{
	{
		Name:   "LF",
		Src:    "# header\na:b:1=compileClasspath\nc:d:2=runtimeClasspath\nempty=\n",
		Want:   []string{"a:b@1", "c:d@2"},
		Source: gradleSource,
	},
	{
		Name:   "CRLF",
		Src:    "# header\r\na:b:1=compileClasspath\r\nc:d:2=runtimeClasspath\r\nempty=\r\n",
		Want:   []string{"a:b@1", "c:d@2"},
		Source: gradleSource,
	},
	{
		// A CR-only file (classic Mac endings) is four lines to Java.
		Name:   "CR only",
		Src:    "# header\ra:b:1=compileClasspath\rc:d:2=runtimeClasspath\rempty=\r",
		Want:   []string{"a:b@1", "c:d@2"},
		Source: gradleSource,
	},
	{
		// A lone CR after a comment ends the comment: the module after it is
		// locked, where a "\n" splitter reads one long comment line.
		Name:   "lone CR ends a comment",
		Src:    "# header\r" + "evil:evil:6.6.6=runtimeClasspath\na:b:1=compileClasspath\n",
		Want:   []string{"evil:evil@6.6.6", "a:b@1"},
		Source: gradleSource,
	},
	{
		// A lone CR inside a module line starts another line.
		Name:   "lone CR inside a module line",
		Src:    "a:b:1=compileClasspath\r" + "evil:evil:6.6.6=runtimeClasspath\n",
		Want:   []string{"a:b@1", "evil:evil@6.6.6"},
		Source: gradleSource,
	},
	{
		// Line numbers count Java's lines, so an error names the right one.
		Name:    "bad line after CRs",
		Src:     "a:b:1=x\r\rnot a module\n",
		ErrLine: 3,
		ErrText: "not a locked module",
		Source:  gradleSource + ": InvalidLockFileException",
	},
	{
		// "\r\n" is one end of line, not two: line numbers do not double.
		Name:    "bad line after CRLFs",
		Src:     "a:b:1=x\r\n\r\nnot a module\r\n",
		ErrLine: 3,
		ErrText: "not a locked module",
		Source:  gradleSource + ": InvalidLockFileException",
	},
	{
		Name:   "empty= with configurations",
		Src:    "a:b:1=compileClasspath\nempty=annotationProcessor,testAnnotationProcessor\n",
		Want:   []string{"a:b@1"},
		Source: gradleSource + ": collectEmptyLockIds",
	},
}

func TestGradleReadings(t *testing.T) {
	lt.CheckReadings(t, Parser{}, "gradle.lockfile", gradleReadings)
}
