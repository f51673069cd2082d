package structure

import "testing"

func TestMark(t *testing.T) {
	t.Parallel()
	law := "中华人民共和国某某法\n\n第一编　总　　则\n\n第一章　基本规定\n\n第一条　为了规范某某，制定本法。\n\n第二条本法适用于：\n\n（一）甲；\n\n（二）乙。\n\n第二章规定的事项，依照本法执行。\n\n第三条　附则。\n"
	want := "中华人民共和国某某法\n\n## 第一编 总则\n\n### 第一章 基本规定\n\n##### 第一条\n\n为了规范某某，制定本法。\n\n##### 第二条\n\n本法适用于：\n\n（一）甲；\n\n（二）乙。\n\n第二章规定的事项，依照本法执行。\n\n##### 第三条\n\n附则。\n"
	for _, tc := range []struct{ name, in, want string }{
		{"a law: divisions and articles are headings, its items stay text", law, want},
		{"a notice: 一、 and （一） on a line of their own", "国务院办公厅关于某事的意见\n\n一、总体要求\n\n（一）指导思想。\n\n以某某为指导，做好某事。\n\n二、重点任务\n\n附件\n\n名单",
			"国务院办公厅关于某事的意见\n\n## 一、总体要求\n\n### （一）指导思想。\n\n以某某为指导，做好某事。\n\n## 二、重点任务\n\n## 附件\n\n名单"},
		{"a long numbered line is text", "一、各地区各部门要高度重视政务新媒体工作，把它作为践行党的群众路线的重要手段。", "一、各地区各部门要高度重视政务新媒体工作，把它作为践行党的群众路线的重要手段。"},
		{"nothing to mark", "# 标题\n\n正文。", "# 标题\n\n正文。"},
		{"code stays code", "```\n第一条　不是标题\n```\n", "```\n第一条　不是标题\n```\n"},
	} {
		if got := Mark(tc.in); got != tc.want {
			t.Errorf("%s:\ngot  %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

func TestJoinWrapped(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"从建筑物\n中抛掷物品。\n可能加害的", "从建筑物中抛掷物品。\n可能加害的"},
		{"第一条禁止\n抛物，\n违者\n第二条另起", "第一条禁止抛物，违者\n第二条另起"},
		{"Page one,\nline two", "Page one,\nline two"},
		{"段落一\n\n段落二\n", "段落一\n\n段落二\n"},
	} {
		if got := JoinWrapped(tc.in); got != tc.want {
			t.Errorf("JoinWrapped(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDropChrome(t *testing.T) {
	t.Parallel()
	in := "首页 > 政务公开 > 政策\n\n## 标题\n\n[ 打印 ] [ 关闭 ]\n\n正文第一段，打印机采购的规定。\n\n扫一扫在手机打开当前页\n\n排行榜\n"
	want := "\n## 标题\n\n\n正文第一段，打印机采购的规定。\n\n\n"
	if got := DropChrome(in); got != want {
		t.Errorf("DropChrome:\ngot  %q\nwant %q", got, want)
	}
	if got := DropChrome("正文。"); got != "正文。" {
		t.Errorf("a page without chrome changed: %q", got)
	}
}

func TestMetadata(t *testing.T) {
	t.Parallel()
	body := "索 引 号： | 000014349/2018-00221\n发文机关： | 国务院办公厅 | 成文日期： | 2018年12月07日\n发文字号： | 国办发〔2018〕123号 | 发布日期： | 2018年12月27日\n\n正文。"
	got := Metadata(body)
	for k, v := range map[string]string{"issuer": "国务院办公厅", "written_date": "2018年12月07日", "doc_number": "国办发〔2018〕123号", "published_date": "2018年12月27日"} {
		if got[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	// A title block's document number, with no label.
	if got := Metadata("国家发展改革委关于印发某办法的通知\n\n发改价格规〔2020〕101号\n\n各省："); got["doc_number"] != "发改价格规〔2020〕101号" {
		t.Errorf("title block: %v", got)
	}
}
