package e2e

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/microstack/microstack/internal/probe"
)

const pollInterval = 500 * time.Millisecond

func (e *env) deployment(ctx context.Context, ns, name string) (*appsv1.Deployment, error) {
	return e.kube.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
}

// readyPods lists the Ready pods the Deployment selects.
func (e *env) readyPods(ctx context.Context, d *appsv1.Deployment) ([]corev1.Pod, error) {
	sel := labels.SelectorFromSet(d.Spec.Selector.MatchLabels).String()
	list, err := e.kube.CoreV1().Pods(d.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		return nil, err
	}
	var ready []corev1.Pod
	for _, p := range list.Items {
		if p.DeletionTimestamp == nil && probe.PodReady(p) {
			ready = append(ready, p)
		}
	}
	return ready, nil
}

// waitGone polls until the namespace no longer exists.
func (e *env) waitNamespaceGone(ctx context.Context, ns string, timeout time.Duration) error {
	var last error
	err := wait.PollUntilContextTimeout(ctx, pollInterval, timeout, true, func(ctx context.Context) (bool, error) {
		_, last = e.kube.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		return apierrors.IsNotFound(last), nil
	})
	if err != nil {
		return fmt.Errorf("namespace %s still exists after %v (last error: %v)", ns, timeout, last)
	}
	return nil
}

func (e *env) namespaceExists(ctx context.Context, ns string) (bool, error) {
	_, err := e.kube.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}
