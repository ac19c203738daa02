package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// hello is the body of the service's GET /.
type hello struct {
	Message string `json:"message"`
}

// Message sends GET / to the service at url (scheme and host, no path) and
// returns the message it answers with. A status other than 200 or a body
// that is not the service's JSON is an error that quotes the body.
func Message(ctx context.Context, client *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/", nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("GET %s/: read body: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s/: %d %s", url, resp.StatusCode, body)
	}
	var h hello
	if err := json.Unmarshal(body, &h); err != nil {
		return "", fmt.Errorf("GET %s/: %w: %s", url, err, body)
	}
	return h.Message, nil
}
