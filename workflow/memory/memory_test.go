package memory_test

import (
	"testing"

	"govreply/workflow"
	"govreply/workflow/memory"
	"govreply/workflow/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(*testing.T) workflow.Store { return memory.New() })
}
