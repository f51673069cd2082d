package memory_test

import (
	"testing"

	"govreply/knowledge"
	"govreply/knowledge/memory"
	"govreply/knowledge/storetest"
)

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, dim int) knowledge.Store {
		return memory.New(dim)
	})
}
