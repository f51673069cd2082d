package memory_test

import (
	"testing"

	"govreply/account"
	"govreply/account/memory"
	"govreply/account/storetest"
)

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) account.Store { return memory.New() })
}
