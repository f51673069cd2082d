package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"

	"github.com/spf13/cobra"
)

// cli is what every command shares: the configuration (environment, then
// flags) and the invocation's way to build parts and to log.
type cli struct {
	cfg config
	inv *invocation
}

// open builds the parts n needs from the configuration; the caller
// closes the app.
func (c *cli) open(ctx context.Context, n needs, log *slog.Logger) (*app, error) {
	return c.inv.open(ctx, c.cfg, n, log)
}

// logger logs structured text to the invocation's stderr at level (the
// invocation's logger, when it has one).
func (c *cli) logger(level slog.Level) *slog.Logger {
	if c.inv.log != nil {
		return c.inv.log
	}
	return slog.New(slog.NewTextHandler(c.inv.stderr, &slog.HandlerOptions{Level: level}))
}

// quietLogger is the logger of the one-shot commands: warnings only.
func (c *cli) quietLogger() *slog.Logger { return c.logger(slog.LevelWarn) }

// newRoot builds the command tree for inv, from a fresh configuration.
func newRoot(inv *invocation) *cobra.Command {
	c := &cli{cfg: envConfig(inv.getenv), inv: inv}
	root := &cobra.Command{
		Use:           "govreply",
		Short:         "政务微博回复助手：起草回复、知识问答、改写套话、审核稿件",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError{err.Error() + "\n" + cmd.UsageString()}
	})
	c.cfg.bind(root.PersistentFlags())
	root.AddCommand(
		newServeCmd(c),
		newIngestCmd(c),
		newSearchCmd(c),
		newEvalCmd(c),
		newReviewCmd(c),
		newDraftCmd(c),
		newRewriteCmd(c),
		newAskCmd(c),
		newMigrateCmd(c),
		newTrainCmd(c),
		newUserCmd(c),
	)
	return root
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
