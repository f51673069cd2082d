package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"
)

// newRoot builds the command tree. Each call starts from a fresh
// configuration, so tests can run commands side by side.
func newRoot() *cobra.Command {
	cfg := envConfig()
	root := &cobra.Command{
		Use:           "govreply",
		Short:         "政务微博回复助手：起草回复、培训演练、审核稿件",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{err.Error() + "\n" + c.UsageString()}
	})
	cfg.bind(root.PersistentFlags())
	root.AddCommand(
		newServeCmd(&cfg),
		newIngestCmd(&cfg),
		newSearchCmd(&cfg),
		newEvalCmd(&cfg),
		newReviewCmd(&cfg),
		newDraftCmd(&cfg),
		newRewriteCmd(&cfg),
		newAskCmd(&cfg),
		newMigrateCmd(&cfg),
	)
	return root
}

// newLogger logs structured text to stderr; quiet commands log warnings only.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// cliLogger is the logger of the one-shot commands.
func cliLogger() *slog.Logger { return newLogger(os.Stderr, slog.LevelWarn) }

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
