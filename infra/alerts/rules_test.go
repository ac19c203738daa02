package alerts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/microstack/microstack/infra/stackconfig"
)

// configFor loads a stack's config from a few settings over the defaults.
func configFor(t *testing.T, stack string, values map[string]string) stackconfig.Config {
	t.Helper()
	values[stackconfig.KeyKubeContext] = "microstack-local"
	values[stackconfig.KeyImageRepository] = "localhost:5001/microstack"
	cfg, err := stackconfig.Load(stack, stackconfig.MapSource{Values: values})
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg
}

// stacks are the configurations the rules are tested with: the defaults
// (one pod) and a production-like stack (three pods at least, stricter
// thresholds, longer windows).
func stacks(t *testing.T) map[string]stackconfig.Config {
	return map[string]stackconfig.Config{
		"dev": configFor(t, "dev", map[string]string{}),
		"prod": configFor(t, "prod", map[string]string{
			stackconfig.KeyAutoscaling: "true", stackconfig.KeyMinReplicas: "3", stackconfig.KeyMaxReplicas: "10",
			stackconfig.KeyAlertErrorRatio: "0.02", stackconfig.KeyAlertLatencySeconds: "0.25",
			stackconfig.KeyAlertWindow: "10m", stackconfig.KeyAlertFor: "10m",
		}),
	}
}

func TestRulesCarryTheStacksThresholds(t *testing.T) {
	for name, cfg := range stacks(t) {
		f := For(cfg)
		if len(f.Groups) != 1 || len(f.Groups[0].Rules) != 3 {
			t.Fatalf("%s: %d groups, want one of three rules: %+v", name, len(f.Groups), f)
		}
		a := cfg.Monitoring.Alerts
		want := map[string][]string{
			ErrorRatioHigh:       {"[" + a.Window + "]", "> " + number(a.ErrorRatio), `code=~"5.."`, `route!~"GET /healthz|GET /readyz|GET /metrics"`},
			LatencyP99High:       {"[" + a.Window + "]", "> " + number(a.LatencySeconds), "histogram_quantile(0.99"},
			AvailableReplicasLow: {"< " + strconv.Itoa(cfg.Scaling.MinAvailableReplicas())},
		}
		for _, r := range f.Groups[0].Rules {
			for _, part := range want[r.Alert] {
				if !strings.Contains(r.Expr, part) {
					t.Errorf("%s: %s expr %q lacks %q", name, r.Alert, r.Expr, part)
				}
			}
			if !strings.Contains(r.Expr, `namespace="`+cfg.Namespace+`"`) || !strings.Contains(r.Expr, cfg.Instance()) {
				t.Errorf("%s: %s expr %q does not select the stack's pods", name, r.Alert, r.Expr)
			}
			if r.For != a.For {
				t.Errorf("%s: %s for = %q, want %q", name, r.Alert, r.For, a.For)
			}
		}
	}
}

// TestRulesWithPromtool checks the rules with the real promtool: `check
// rules` accepts the file, and `test rules` shows each alert firing on
// synthetic series that break its threshold and silent on healthy ones.
func TestRulesWithPromtool(t *testing.T) {
	promtool := os.Getenv("MICROSTACK_PROMTOOL")
	if promtool == "" {
		var err error
		if promtool, err = exec.LookPath("promtool"); err != nil {
			t.Skip("promtool not found: set MICROSTACK_PROMTOOL (hack/test.sh e2e runs this test with the promtool hack/tools.sh builds)")
		}
	}
	for name, cfg := range stacks(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			rules, err := For(cfg).YAML()
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, "rules.yaml"), rules)
			tests, err := yaml.Marshal(unitTests(cfg))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, "tests.yaml"), string(tests))
			for _, args := range [][]string{{"check", "rules", "rules.yaml"}, {"test", "rules", "tests.yaml"}} {
				cmd := exec.Command(promtool, args...)
				cmd.Dir = dir
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("promtool %s: %v\n%s\nrules:\n%s\ntests:\n%s", strings.Join(args, " "), err, out, rules, tests)
				}
				t.Logf("promtool %s: %s", strings.Join(args, " "), strings.TrimSpace(string(out)))
			}
		})
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
