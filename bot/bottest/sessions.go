package bottest

import (
	"context"
	"fmt"
	"testing"

	"govreply/bot"
	"govreply/internal/errs"
)

// SessionOwners checks the owner rules of a bot.SessionStore bounded at
// maxPerOwner sessions per owner: a session keeps its owner, another
// owner cannot append to it, and one owner's flood of new sessions drops
// only that owner's oldest ones, never another owner's conversation.
func SessionOwners(t *testing.T, s bot.SessionStore, maxPerOwner int) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Append(ctx, "victim-1", bot.Turn{Owner: "王芳", Question: "停水怎么回复？", Answer: "先致歉。"}))
	turns, ok, err := s.Get(ctx, "victim-1")
	must(err)
	if !ok || len(turns) != 1 || turns[0].Owner != "王芳" {
		t.Fatalf("own session: ok %v, turns %+v", ok, turns)
	}
	err = s.Append(ctx, "victim-1", bot.Turn{Owner: "攻击者", Question: "接着说"})
	if !errs.Is(errs.Forbidden, err) {
		t.Errorf("another owner appended: %v", err)
	}
	if turns, _, _ := s.Get(ctx, "victim-1"); len(turns) != 1 {
		t.Errorf("the refused append changed the session: %+v", turns)
	}
	for i := range maxPerOwner + 25 {
		must(s.Append(ctx, fmt.Sprintf("flood-%03d", i), bot.Turn{Owner: "攻击者", Question: "刷"}))
	}
	if _, ok, _ := s.Get(ctx, "victim-1"); !ok {
		t.Errorf("one owner's flood evicted another owner's session")
	}
	kept := 0
	for i := range maxPerOwner + 25 {
		if _, ok, _ := s.Get(ctx, fmt.Sprintf("flood-%03d", i)); ok {
			kept++
		}
	}
	if kept != maxPerOwner {
		t.Errorf("the flooding owner keeps %d sessions, want the bound %d", kept, maxPerOwner)
	}
	if _, ok, _ := s.Get(ctx, fmt.Sprintf("flood-%03d", maxPerOwner+24)); !ok {
		t.Errorf("the newest session of the flood was dropped")
	}
}
