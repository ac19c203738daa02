package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Variables hack/cluster.sh env sets for the ingress controller.
const (
	envIngressHTTP  = "MICROSTACK_INGRESS_HTTP"
	envIngressHTTPS = "MICROSTACK_INGRESS_HTTPS"
)

// What the ingress steps declare on dev.
const (
	ingressHost      = "dev.microstack.test"
	unknownHost      = "nobody.microstack.test"
	ingressTLSSecret = "microstack-dev-tls"
	typeIngress      = "kubernetes:networking.k8s.io/v1:Ingress"
)

// operatorMade reports whether obj, as objectsOf names it, is one the tests
// create beside a stack as its operator would: the Ingress' TLS Secret.
func operatorMade(obj string) bool {
	return obj == typeSecret+" "+devNamespace+"/"+ingressTLSSecret
}

// ingress reaches the controller's entry points whatever host a URL names,
// so requests carry the Host header and TLS server name of the URL, as a
// client that resolved the host to the controller would send them.
type ingress struct {
	http, https string // host:port of the controller's entry points
	roots       *x509.CertPool
}

func newIngress(t *testing.T) ingress {
	t.Helper()
	return ingress{http: hostPort(t, envIngressHTTP), https: hostPort(t, envIngressHTTPS)}
}

func hostPort(t *testing.T, name string) string {
	t.Helper()
	u, err := url.Parse(os.Getenv(name))
	if err != nil || u.Host == "" {
		t.Fatalf("%s = %q: source hack/cluster.sh env (%v)", name, os.Getenv(name), err)
	}
	return u.Host
}

// client is an HTTP client that sends everything to the controller and
// trusts the test's certificate.
func (in ingress) client() *http.Client {
	return in.clientWith(&tls.Config{RootCAs: in.roots, MinVersion: tls.VersionTLS12})
}

func (in ingress) clientWith(tlsConfig *tls.Config) *http.Client {
	dialer := &net.Dialer{Timeout: 3 * time.Second}
	return &http.Client{
		Timeout: 5 * time.Second,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				_, port, _ := net.SplitHostPort(addr)
				target := in.http
				if port == "443" {
					target = in.https
				}
				return dialer.DialContext(ctx, network, target)
			},
			TLSClientConfig:     tlsConfig,
			MaxIdleConnsPerHost: loadWorkers,
		},
	}
}

// selfSigned makes a certificate for host and its key, PEM-encoded.
func selfSigned(t *testing.T, host string) (certPEM, keyPEM []byte, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: host},
		DNSNames:     []string{host},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err = x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), cert
}

// exposeThroughIngress gives dev a host and a certificate (a self-signed
// one in a TLS Secret the test makes), and checks that the controller
// serves the app by Host header over HTTP and HTTPS, and its own 404 to a
// host nobody declared.
func (e *env) exposeThroughIngress(ctx context.Context, t *testing.T, dev *stack, message string) ingress {
	t.Helper()
	in := newIngress(t)
	certPEM, keyPEM, cert := selfSigned(t, ingressHost)
	in.roots = x509.NewCertPool()
	in.roots.AddCert(cert)
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: ingressTLSSecret, Namespace: devNamespace},
		Type:       corev1.SecretTypeTLS,
		Data:       map[string][]byte{corev1.TLSCertKey: certPEM, corev1.TLSPrivateKeyKey: keyPEM},
	}
	if _, err := e.kube.CoreV1().Secrets(devNamespace).Create(ctx, secret, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating the TLS Secret: %v", err)
	}
	dev.set(ctx, t, map[string]string{"ingressHost": ingressHost, "ingressTLSSecret": ingressTLSSecret})
	got, res, err := dev.up(ctx)
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	assertOps(t, got.changed(), ops{typeIngress: apitype.OpCreate})
	if want := "https://" + ingressHost + "/"; output(res, "externalUrl") != want {
		t.Errorf("output externalUrl = %q, want %q", output(res, "externalUrl"), want)
	}
	c := in.client()
	// An unknown host gets the controller's default certificate, not the test's.
	anyCert := in.clientWith(&tls.Config{InsecureSkipVerify: true}) //nolint:gosec // only the status is read
	start := time.Now()
	for _, scheme := range []string{"http", "https"} {
		if err := waitMessageWith(ctx, c, scheme+"://"+ingressHost+"/", message, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("the controller served the new Ingress over HTTP and HTTPS %.1fs after up", time.Since(start).Seconds())
	for _, scheme := range []string{"http", "https"} {
		status, body := getStatus(ctx, t, anyCert, scheme+"://"+unknownHost+"/")
		if status != http.StatusNotFound {
			t.Errorf("%s://%s/ answered %d %q, want the controller's 404", scheme, unknownHost, status, body)
		}
	}
	return in
}

// getStatus returns the status and the start of the body of GET url.
func getStatus(ctx context.Context, t *testing.T, c *http.Client, rawURL string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return resp.StatusCode, fmt.Sprintf("%.80s", body)
}
