package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"golang.org/x/text/width"

	"govreply/account"
	accmem "govreply/account/memory"
	acctpg "govreply/account/postgres"
	"govreply/internal/pgdb"
)

// openAccounts opens the account store: in the database when there is
// one (on the pool the knowledge store opened, else on a pool of its own
// with the accounts' tables migrated), otherwise in memory.
func (a *app) openAccounts(ctx context.Context, cfg config) error {
	switch {
	case a.db != nil:
		a.accounts = acctpg.New(a.db)
	case cfg.DatabaseURL != "":
		db, err := pgdb.Open(ctx, pgdb.Options{URL: cfg.DatabaseURL, Logger: a.log, Components: []pgdb.Component{acctpg.Component()}})
		if err != nil {
			return err
		}
		a.closers = append(a.closers, db.Close)
		a.accounts = acctpg.New(db)
	default:
		a.accounts = accmem.New()
	}
	return nil
}

// cliClient is the client address the audit trail records for the
// command line.
const cliClient = "cli"

func newUserCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user add|list|passwd|disable|enable|token",
		Short: "管理账号：添加用户、列出用户、修改密码、停用与启用、API 令牌（需要数据库）",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newUserAddCmd(c), newUserListCmd(c), newUserPasswdCmd(c),
		newUserDisableCmd(c, true), newUserDisableCmd(c, false), newUserTokenCmd(c))
	return cmd
}

// accounts opens the account service of the configured database, acting
// as the operator from the client "cli". Without a database there is no
// store to manage: users then live only inside a running serve.
func (c *cli) accounts(cmd *cobra.Command) (*account.Service, context.Context, func(), error) {
	if c.cfg.DatabaseURL == "" {
		return nil, nil, nil, usageError{"未配置数据库（DATABASE_URL 或 --database-url）：不使用数据库时，账号只存在于运行中的 serve 进程内，" +
			"无法用命令行管理。请配置 PostgreSQL 后重试，或在网页“用户与审计”中管理账号"}
	}
	a, err := c.open(cmd.Context(), needs{accounts: true}, c.quietLogger())
	if err != nil {
		return nil, nil, nil, err
	}
	svc := account.NewService(a.accounts, account.Options{Logger: c.quietLogger()})
	return svc, account.WithClient(cmd.Context(), cliClient), a.Close, nil
}

func newUserAddCmd(c *cli) *cobra.Command {
	var (
		roles     []string
		fromStdin bool
	)
	cmd := &cobra.Command{
		Use:   "add NAME --role ROLE [--role ROLE]... [--password-stdin]",
		Short: "添加用户（角色：admin 管理员、editor 编辑、reviewer 审核员、trainer 培训师、trainee 学员）",
		Args:  exactArgs(1, "请给出一个用户名"),
		RunE: func(cmd *cobra.Command, args []string) error {
			rs, err := account.ParseRoles(roles)
			if err != nil {
				return usageError{message(err)}
			}
			if len(rs) == 0 {
				return usageError{"请用 --role 至少指定一个角色：admin、editor、reviewer、trainer、trainee"}
			}
			password, err := readPassword(cmd, fromStdin)
			if err != nil {
				return err
			}
			svc, ctx, done, err := c.accounts(cmd)
			if err != nil {
				return err
			}
			defer done()
			u, err := svc.AddUser(ctx, account.Operator(), args[0], password, rs)
			if err != nil {
				return err
			}
			if c.cfg.JSON {
				return printJSON(cmd.OutOrStdout(), u)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "已添加用户 %s（角色：%s）。\n", u.Username, account.RoleNames(u.Roles))
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&roles, "role", nil, "角色，可重复：admin | editor | reviewer | trainer | trainee")
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "从标准输入读取密码（第一行）")
	return cmd
}

func newUserListCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "列出全部用户",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, ctx, done, err := c.accounts(cmd)
			if err != nil {
				return err
			}
			defer done()
			us, err := svc.Users(ctx)
			if err != nil {
				return err
			}
			if c.cfg.JSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"users": us})
			}
			if len(us) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "还没有用户。")
				return nil
			}
			rows := [][]string{{"用户名", "角色", "状态", "创建时间", "更新时间"}}
			for _, u := range us {
				state := "正常"
				if u.Disabled {
					state = "已停用"
				}
				rows = append(rows, []string{u.Username, account.RoleNames(u.Roles), state, localTime(u.CreatedAt), localTime(u.UpdatedAt)})
			}
			printTable(cmd.OutOrStdout(), rows)
			fmt.Fprintf(cmd.OutOrStdout(), "共 %d 个用户。\n", len(us))
			return nil
		},
	}
}

func newUserPasswdCmd(c *cli) *cobra.Command {
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "passwd NAME [--password-stdin]",
		Short: "修改用户的密码（其已登录的浏览器会话随之退出）",
		Args:  exactArgs(1, "请给出一个用户名"),
		RunE: func(cmd *cobra.Command, args []string) error {
			password, err := readPassword(cmd, fromStdin)
			if err != nil {
				return err
			}
			svc, ctx, done, err := c.accounts(cmd)
			if err != nil {
				return err
			}
			defer done()
			if err := svc.SetPassword(ctx, account.Operator(), args[0], password); err != nil {
				return err
			}
			name := account.NormalizeUsername(args[0])
			if c.cfg.JSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"username": name, "ok": true})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "已修改用户 %s 的密码，其已登录的浏览器会话均已退出。\n", name)
			return nil
		},
	}
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "从标准输入读取密码（第一行）")
	return cmd
}

// newUserDisableCmd is "user disable" (disable true) or "user enable".
func newUserDisableCmd(c *cli, disable bool) *cobra.Command {
	use, short := "enable NAME", "重新启用已停用的用户"
	if disable {
		use, short = "disable NAME", "停用用户：不能再登录，浏览器会话退出，API 令牌失效"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  exactArgs(1, "请给出一个用户名"),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, ctx, done, err := c.accounts(cmd)
			if err != nil {
				return err
			}
			defer done()
			var u account.User
			if disable {
				u, err = svc.Disable(ctx, account.Operator(), args[0])
			} else {
				u, err = svc.Enable(ctx, account.Operator(), args[0])
			}
			if err != nil {
				return err
			}
			if c.cfg.JSON {
				return printJSON(cmd.OutOrStdout(), u)
			}
			if disable {
				fmt.Fprintf(cmd.OutOrStdout(), "已停用用户 %s：其浏览器会话已退出，API 令牌已失效。\n", u.Username)
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "已启用用户 %s。\n", u.Username)
			}
			return nil
		},
	}
}

func newUserTokenCmd(c *cli) *cobra.Command {
	var (
		name   string
		ttl    time.Duration
		revoke string
		list   bool
	)
	cmd := &cobra.Command{
		Use:   "token NAME [--name N] [--ttl 720h] | token NAME --revoke ID | token NAME --list",
		Short: "为用户创建 API 令牌（只显示一次），或撤销、列出其令牌",
		Args:  exactArgs(1, "请给出一个用户名"),
		RunE: func(cmd *cobra.Command, args []string) error {
			f := cmd.Flags()
			switch {
			case revoke != "" && list:
				return usageError{"--revoke 和 --list 只能给一个"}
			case (revoke != "" || list) && (f.Changed("name") || f.Changed("ttl")):
				return usageError{"--name 和 --ttl 只用于创建令牌，不能与 --revoke 或 --list 同用"}
			}
			svc, ctx, done, err := c.accounts(cmd)
			if err != nil {
				return err
			}
			defer done()
			out := cmd.OutOrStdout()
			switch {
			case revoke != "":
				t, err := svc.RevokeToken(ctx, account.Operator(), args[0], revoke)
				if err != nil {
					return err
				}
				if c.cfg.JSON {
					return printJSON(out, t)
				}
				fmt.Fprintf(out, "已撤销用户 %s 的令牌 %s。\n", t.Username, t.ID)
				return nil
			case list:
				if _, err := svc.User(ctx, args[0]); err != nil {
					return err
				}
				ts, err := svc.Tokens(ctx, args[0])
				if err != nil {
					return err
				}
				if c.cfg.JSON {
					return printJSON(out, map[string]any{"tokens": ts})
				}
				printTokens(out, ts, time.Now())
				return nil
			}
			secret, t, err := svc.CreateToken(ctx, account.Operator(), args[0], name, ttl)
			if err != nil {
				return err
			}
			if c.cfg.JSON {
				return printJSON(out, map[string]any{"token": secret, "id": t.ID, "username": t.Username, "name": t.Name, "expires_at": t.ExpiresAt})
			}
			label := ""
			if t.Name != "" {
				label = "“" + t.Name + "”，"
			}
			fmt.Fprintf(out, "已为用户 %s 创建令牌 %s（%s有效期至 %s）。\n令牌只显示这一次，请立即妥善保存：\n%s\n",
				t.Username, t.ID, label, localTime(t.ExpiresAt), secret)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "令牌名称，便于识别用途")
	cmd.Flags().DurationVar(&ttl, "ttl", 0, "有效期，如 720h（默认 90 天，最长 1 年即 8760h）")
	cmd.Flags().StringVar(&revoke, "revoke", "", "撤销编号为 ID 的令牌")
	cmd.Flags().BoolVar(&list, "list", false, "列出该用户的令牌")
	return cmd
}

// printTokens prints a user's tokens as a table.
func printTokens(w io.Writer, ts []account.Token, now time.Time) {
	if len(ts) == 0 {
		fmt.Fprintln(w, "该用户没有令牌。")
		return
	}
	rows := [][]string{{"编号", "名称", "状态", "创建时间", "到期时间", "最近使用"}}
	for _, t := range ts {
		state := "有效"
		switch {
		case t.Revoked():
			state = "已撤销"
		case t.Expired(now):
			state = "已过期"
		}
		used := "从未使用"
		if !t.LastUsedAt.IsZero() {
			used = localTime(t.LastUsedAt)
		}
		rows = append(rows, []string{t.ID, cmp.Or(t.Name, "—"), state, localTime(t.CreatedAt), localTime(t.ExpiresAt), used})
	}
	printTable(w, rows)
}

// exactArgs is cobra.ExactArgs(n) with a Chinese usage message.
func exactArgs(n int, msg string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{msg + "\n" + cmd.UsageString()}
		}
		return nil
	}
}

// localTime formats t in local time to the minute.
func localTime(t time.Time) string { return t.Local().Format("2006-01-02 15:04") }

// maxPasswordInput caps what readPassword reads.
const maxPasswordInput = 4096

// readPassword reads a new password: with --password-stdin, or when
// standard input is not a terminal, its first line; at a terminal, typed
// twice without echo.
func readPassword(cmd *cobra.Command, fromStdin bool) (string, error) {
	in, stderr := cmd.InOrStdin(), cmd.ErrOrStderr()
	if f, ok := in.(*os.File); ok && !fromStdin && term.IsTerminal(int(f.Fd())) {
		read := func(prompt string) (string, error) {
			fmt.Fprint(stderr, prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(stderr)
			if err != nil {
				return "", fmt.Errorf("无法读取密码：%w", err)
			}
			return string(b), nil
		}
		a, err := read("请输入密码：")
		if err != nil {
			return "", err
		}
		if err := account.CheckPassword(a); err != nil {
			return "", usageError{message(err)}
		}
		b, err := read("请再次输入密码：")
		if err != nil {
			return "", err
		}
		if a != b {
			return "", usageError{"两次输入的密码不一致"}
		}
		return a, nil
	}
	line, err := bufio.NewReader(io.LimitReader(in, maxPasswordInput)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("无法从标准输入读取密码：%w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		return "", usageError{"没有读到密码：请在终端中运行以输入密码，或用 --password-stdin 从标准输入传入（第一行）"}
	}
	return password, nil
}

// printTable prints rows as columns aligned for a terminal, counting a
// Chinese character as two columns.
func printTable(w io.Writer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, cell := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(cell))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, cell := range r {
			b.WriteString(cell)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(cell)+2))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

// displayWidth is how many terminal columns s takes.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
