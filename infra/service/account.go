package service

import (
	"encoding/base64"
	"encoding/json"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// dockerHubServer is the key registry clients use for Docker Hub.
const dockerHubServer = "https://index.docker.io/v1/"

// account is the pods' identity and, when the registry needs one, the pull
// secret it carries.
type account struct {
	serviceAccount *corev1.ServiceAccount
	pullSecret     *corev1.Secret // nil without registry credentials
}

// serviceAccount is the pods' own identity: no API token is mounted (the
// app never calls the API server), and it carries the pull secret when the
// registry needs credentials.
func (b builder) serviceAccount() (account, error) {
	args := &corev1.ServiceAccountArgs{
		Metadata:                     b.namedMetadata(),
		AutomountServiceAccountToken: pulumi.Bool(false),
	}
	var a account
	if b.args.Registry.Username != "" {
		pull, err := b.pullSecret()
		if err != nil {
			return account{}, err
		}
		a.pullSecret = pull
		args.ImagePullSecrets = corev1.LocalObjectReferenceArray{
			corev1.LocalObjectReferenceArgs{Name: pull.Metadata.Name()},
		}
	}
	sa, err := corev1.NewServiceAccount(b.ctx, b.name, args, b.owned()...)
	a.serviceAccount = sa
	return a, err
}

// pullSecret holds the registry login as a kubernetes.io/dockerconfigjson
// Secret, marked secret in Pulumi's state. It is auto-named, so rotated
// credentials make a new Secret before the old one goes.
func (b builder) pullSecret() (*corev1.Secret, error) {
	auth, err := dockerConfigJSON(b.args.Registry.Server, b.args.Registry.Username, b.args.Registry.Password)
	if err != nil {
		return nil, err
	}
	return corev1.NewSecret(b.ctx, b.name+"-pull", &corev1.SecretArgs{
		Metadata: b.autoNamedMetadata(),
		Type:     pulumi.String("kubernetes.io/dockerconfigjson"),
		StringData: pulumi.StringMap{
			".dockerconfigjson": pulumi.ToSecret(pulumi.String(auth)).(pulumi.StringOutput),
		},
	}, b.parent)
}

// dockerConfigJSON is the ~/.docker/config.json document kubelets read
// pull credentials from.
func dockerConfigJSON(server, username, password string) (string, error) {
	if server == "" {
		server = dockerHubServer
	}
	type entry struct {
		Username string `json:"username"`
		Password string `json:"password"`
		Auth     string `json:"auth"`
	}
	doc := map[string]map[string]entry{"auths": {server: {
		Username: username, Password: password,
		Auth: base64.StdEncoding.EncodeToString([]byte(username + ":" + password)),
	}}}
	b, err := json.Marshal(doc)
	return string(b), err
}
