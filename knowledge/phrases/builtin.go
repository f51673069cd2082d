package phrases

import "govreply/knowledge/builtin"

// Builtin loads the phrase lists embedded in the binary
// (knowledge/builtin/phrases).
func Builtin() ([]*File, error) { return Load(builtin.PhrasesFS()) }
