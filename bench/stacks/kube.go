package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/microstack/microstack/internal/probe"
)

const pollInterval = 500 * time.Millisecond

func (b *bench) namespaceExists(ctx context.Context, ns string) (bool, error) {
	_, err := b.kube.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("namespace %s: %w", ns, err)
	}
	return true, nil
}

// deleteNamespace deletes ns, if it exists, and waits until it is gone. It
// is the last resort of a cleanup: `pulumi destroy` normally deletes it.
func (b *bench) deleteNamespace(ctx context.Context, ns string) error {
	if !strings.HasPrefix(ns, namespacePrefix) {
		return fmt.Errorf("refusing to delete namespace %s: not one of the bench's", ns)
	}
	err := b.kube.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return nil
	case err != nil:
		return fmt.Errorf("delete namespace %s: %w", ns, err)
	}
	b.logf("namespace %s outlived its stack: deleted it, waiting until it is gone", ns)
	return poll(ctx, func() (bool, error) {
		exists, err := b.namespaceExists(ctx, ns)
		return !exists, err
	})
}

// pods lists the pods of ns.
func (b *bench) pods(ctx context.Context, ns string) ([]corev1.Pod, error) {
	list, err := b.kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("pods of %s: %w", ns, err)
	}
	return list.Items, nil
}

// readyPods counts the pods of ns that are Ready and not terminating.
func (b *bench) readyPods(ctx context.Context, ns string) (int, error) {
	pods, err := b.pods(ctx, ns)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range pods {
		if p.DeletionTimestamp == nil && probe.PodReady(p) {
			n++
		}
	}
	return n, nil
}

// poll calls done every pollInterval until it returns true or an error, or
// ctx is done.
func poll(ctx context.Context, done func() (bool, error)) error {
	for {
		ok, err := done()
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}
