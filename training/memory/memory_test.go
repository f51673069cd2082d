package memory_test

import (
	"testing"

	"govreply/training"
	"govreply/training/memory"
	"govreply/training/progresstest"
)

func TestContract(t *testing.T) {
	progresstest.Run(t, func(*testing.T) training.ProgressStore { return memory.New() })
}
