package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"govreply/bot"
	"govreply/internal/errs"
)

func newAskCmd(c *cli) *cobra.Command {
	var session string
	cmd := &cobra.Command{
		Use:   "ask [--session ID] QUESTION|-",
		Short: "问答：就规范、语气和案例提问，回答附编号引用",
		Long: "就政务微博的规范、语气和案例提问（问题写在命令行上；给 - 时从标准输入读取）。\n" +
			"回答摘录知识库中最相关的原文，每句后标注引用编号 [n]，并列出来源（标题 › 小节（文档 ID））；\n" +
			"知识库中没有相关内容时会直说，不编造。\n" +
			"--session 接着已有会话追问。设置了 DATABASE_URL 时会话保存在数据库中，可跨多次运行接着追问；否则保存在内存中，命令行每次运行都是新进程，给出的会话 ID 已不存在，此时开始新会话。\n" +
			"退出码：0 成功，2 用法或输入错误。",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := bot.AnswerRequest{Session: session}
			var err error
			if len(args) == 1 && args[0] == "-" {
				req.Message, err = readText(cmd.InOrStdin(), cmd.ErrOrStderr(), "-", questionInput)
			} else {
				req.Message = strings.Join(args, " ")
			}
			if err != nil {
				return err
			}
			// The answerer validates the request too (the same Normalize);
			// checking it here first spares loading the knowledge base.
			if req, err = req.Normalize(); err != nil {
				return err
			}
			a, err := c.open(cmd.Context(), needs{answerer: true}, c.quietLogger())
			if err != nil {
				return err
			}
			defer a.Close()
			return runAsk(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), a.answerer, req, c.cfg.JSON)
		},
	}
	cmd.Flags().StringVar(&session, "session", "", "接着这个会话追问（会话 ID 见 --json 输出的 session）")
	return cmd
}

// questionInput is what ask reads from standard input.
var questionInput = textInput{
	op: "ask", what: "问题", maxBytes: bot.MaxMessageRunes*utf8.UTFMax + 64,
	prompt:  "请输入问题，结束后另起一行按 Ctrl-D（Windows 按 Ctrl-Z 回车）：",
	tooLong: bot.MessageTooLong(-1),
}

// runAsk answers req and prints the AnswerResponse
// (asJSON) or the answer and its sources for people to w. A session asked
// for that the answerer did not know is noted on stderr. A nil Answerer
// means answering is not available in this build.
func runAsk(ctx context.Context, w, stderr io.Writer, ans bot.Answerer, req bot.AnswerRequest, asJSON bool) error {
	if ans == nil {
		return errs.E("ask", errs.Unavailable, "问答功能未启用")
	}
	res, err := ans.Answer(ctx, req)
	if err != nil {
		return err
	}
	res = res.NonNil()
	if req.Session != "" && res.Session != req.Session {
		fmt.Fprintf(stderr, "提示：会话 %s 不存在或已过期，已开始新会话 %s。\n", req.Session, res.Session)
	}
	if asJSON {
		return printJSON(w, res)
	}
	printAnswer(w, res)
	return nil
}

// printAnswer prints an answer with its [n] markers, then the sources:
// "n. title › section（doc）".
func printAnswer(w io.Writer, res bot.AnswerResponse) {
	fmt.Fprintln(w, res.Answer)
	fmt.Fprintln(w)
	if len(res.Sources) == 0 {
		fmt.Fprintln(w, "来源：无")
		return
	}
	fmt.Fprintln(w, "来源：")
	for _, s := range res.Sources {
		line := s.Title
		if line == "" {
			line = s.Doc
		}
		if s.Section != "" {
			line += " › " + s.Section
		}
		fmt.Fprintf(w, "  %d. %s（%s）\n", s.N, line, s.Doc)
		if s.Reference != "" {
			fmt.Fprintf(w, "     文件：%s\n", s.Reference)
		}
	}
}
