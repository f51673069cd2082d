package main

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"govreply/internal/pgdb"
)

// dbConfig is how serve waits on the database (docs/deploy.md). The
// one-shot commands (migrate, ingest, …) do not use it: they run long
// statements and wait as long as the database needs.
type dbConfig struct {
	// Wait is how long serve keeps trying to reach the database at start
	// (--db-wait, GOVREPLY_DB_WAIT; default 60 s).
	Wait time.Duration
	// Limits bound each wait while serving (--db-timeout,
	// --db-statement-timeout, --db-connect-timeout and their GOVREPLY_DB_*
	// variables; default pgdb.ServeLimits).
	Limits pgdb.Limits
	// IndexCheck is how often serve checks that the vector index exists
	// and rebuilds it if not (--index-check, GOVREPLY_INDEX_CHECK; default
	// 1 minute; 0: only at start).
	IndexCheck time.Duration
	// envErr names the first variable that is not a duration.
	envErr string
}

// Defaults of dbConfig beyond pgdb.ServeLimits.
const (
	defaultDBWait     = 60 * time.Second
	defaultIndexCheck = time.Minute
)

// envDBConfig reads dbConfig from the environment.
func envDBConfig(getenv func(string) string) dbConfig {
	var c dbConfig
	duration := func(name string, def time.Duration) time.Duration {
		v := getenv(name)
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			if c.envErr == "" {
				c.envErr = fmt.Sprintf("环境变量 %s 的值 %q 不是有效的时长（例如 5s、1m）", name, v)
			}
			return def
		}
		return d
	}
	def := pgdb.ServeLimits()
	c.Wait = duration("GOVREPLY_DB_WAIT", defaultDBWait)
	c.Limits = pgdb.Limits{
		Timeout:          duration("GOVREPLY_DB_TIMEOUT", def.Timeout),
		StatementTimeout: duration("GOVREPLY_DB_STATEMENT_TIMEOUT", def.StatementTimeout),
		ConnectTimeout:   duration("GOVREPLY_DB_CONNECT_TIMEOUT", def.ConnectTimeout),
	}
	c.IndexCheck = duration("GOVREPLY_INDEX_CHECK", defaultIndexCheck)
	return c
}

// validate rejects an unreadable variable and negative durations (usage
// errors, exit 2).
func (c dbConfig) validate() error {
	if c.envErr != "" {
		return usageError{c.envErr}
	}
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{
		{"--db-wait", c.Wait},
		{"--db-timeout", c.Limits.Timeout},
		{"--db-statement-timeout", c.Limits.StatementTimeout},
		{"--db-connect-timeout", c.Limits.ConnectTimeout},
		{"--index-check", c.IndexCheck},
	} {
		if d.v < 0 {
			return usageError{d.flag + " 不能为负数：" + d.v.String()}
		}
	}
	return nil
}

// bind registers serve's flags for the database.
func (c *dbConfig) bind(fs *pflag.FlagSet) {
	fs.DurationVar(&c.Wait, "db-wait", c.Wait,
		"启动时等待数据库就绪的最长时间（其间按指数退避重试并记录日志）；0 表示不等待 [GOVREPLY_DB_WAIT]")
	fs.DurationVar(&c.Limits.Timeout, "db-timeout", c.Limits.Timeout,
		"每次等待数据库（取得连接、每条语句的应答）的最长时间，超时的请求返回 503；0 表示不限 [GOVREPLY_DB_TIMEOUT]")
	fs.DurationVar(&c.Limits.StatementTimeout, "db-statement-timeout", c.Limits.StatementTimeout,
		"数据库服务器上每条语句的执行时限（statement_timeout；重建索引等维护操作不受限）；0 表示沿用服务器设置 [GOVREPLY_DB_STATEMENT_TIMEOUT]")
	fs.DurationVar(&c.Limits.ConnectTimeout, "db-connect-timeout", c.Limits.ConnectTimeout,
		"建立一个数据库连接的时限（DATABASE_URL 含 connect_timeout 时以其为准）；0 表示不限 [GOVREPLY_DB_CONNECT_TIMEOUT]")
	fs.DurationVar(&c.IndexCheck, "index-check", c.IndexCheck,
		"检查向量索引是否存在（缺失则重建）的间隔；0 表示只在启动时检查 [GOVREPLY_INDEX_CHECK]")
}
