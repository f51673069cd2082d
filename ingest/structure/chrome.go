package structure

import (
	"regexp"
	"strings"

	"govreply/ingest/markdown"
)

// A web page's chrome, line by line: what a government site puts around
// an article. A line is chrome when it is a breadcrumb trail (首页 > 政务公开
// > …), or when nothing is left of it once the widget words, brackets,
// separators and spaces are taken out ([ 打印 ] [ 关闭 ], 扫一扫在手机打开当前页).
var (
	breadcrumb = regexp.MustCompile(`^\s*(?:当前位置[：:]\s*)?首页\s*[>＞›»]`)
	widgets    = []string{
		"扫一扫在手机打开当前页", "扫一扫在手机上查看当前页面", "扫一扫", "在手机打开当前页",
		"打印本页", "打印", "关闭窗口", "关闭本页", "关闭", "分享到", "分享", "收藏", "返回顶部", "返回",
		"字号", "默认", "大", "中", "小", "排行榜", "相关链接", "相关文章", "上一篇", "下一篇",
		"【", "】", "[", "]", "|", "｜", "/", "：", ":", "·",
	}
)

// DropChrome returns an HTML page's body without its chrome lines.
func DropChrome(body string) string {
	var out []string
	dropped := false
	for l := range markdown.Lines(body) {
		if l.Kind == markdown.Text && chrome(l.Text) {
			dropped = true
			continue
		}
		out = append(out, l.Text)
	}
	if !dropped {
		return body
	}
	return joinLines(out, body)
}

func chrome(line string) bool {
	t := strings.TrimSpace(line)
	if t == "" {
		return false
	}
	if breadcrumb.MatchString(t) {
		return true
	}
	for _, w := range widgets {
		t = strings.ReplaceAll(t, w, "")
	}
	return strings.TrimSpace(strings.Join(strings.Fields(t), "")) == ""
}
