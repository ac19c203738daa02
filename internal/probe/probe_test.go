package probe

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func TestMessage(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		want    string
		wantErr string
	}{
		{"hello", http.StatusOK, `{"message":"Hello, World!","version":"dev"}`, "Hello, World!", ""},
		{"unavailable", http.StatusServiceUnavailable, `{"status":"draining"}`, "", "503"},
		{"not json", http.StatusOK, `Hello`, "", "Hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/" {
					t.Errorf("path = %q, want /", r.URL.Path)
				}
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			got, err := Message(context.Background(), srv.Client(), srv.URL)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Message() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Message() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestPodReady(t *testing.T) {
	pod := func(conds ...corev1.PodCondition) corev1.Pod {
		return corev1.Pod{Status: corev1.PodStatus{Conditions: conds}}
	}
	tests := []struct {
		name string
		pod  corev1.Pod
		want bool
	}{
		{"ready", pod(corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionTrue}), true},
		{"not ready", pod(corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionFalse}), false},
		{"scheduled only", pod(corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionTrue}), false},
		{"no conditions", pod(), false},
	}
	for _, tt := range tests {
		if got := PodReady(tt.pod); got != tt.want {
			t.Errorf("%s: PodReady() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestClusterIPURL(t *testing.T) {
	svc := func(name, ip string, ports ...int32) *corev1.Service {
		s := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"}, Spec: corev1.ServiceSpec{ClusterIP: ip}}
		for _, p := range ports {
			s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Port: p})
		}
		return s
	}
	kube := fake.NewClientset(svc("web", "10.96.0.10", 80, 9090), svc("headless", corev1.ClusterIPNone, 80), svc("portless", "10.96.0.11"))
	tests := []struct {
		name, want, wantErr string
	}{
		{"web", "http://10.96.0.10:80", ""},
		{"headless", "", "no cluster IP"},
		{"portless", "", "no cluster IP or port"},
		{"missing", "", "service ns/missing"},
	}
	for _, tt := range tests {
		got, err := ClusterIPURL(context.Background(), kube, "ns", tt.name)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error = %v, want one containing %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: ClusterIPURL() = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}
