package review

// The Chinese names people read for kinds, severities and categories: the
// CLI's human output and the web workspace show the same words.
var (
	kindNames     = map[Kind]string{KindComment: "评论", KindReply: "回复", KindPost: "博文"}
	severityNames = map[Severity]string{SeverityError: "错误", SeverityWarning: "警告", SeverityInfo: "提示"}
	categoryNames = map[string]string{
		"stonewalling":     "推诿搪塞",
		"blame_shifting":   "甩锅推责",
		"hostile_tone":     "语气对立",
		"pii":              "个人信息",
		"confidential":     "涉密内容",
		"commercial":       "商业广告",
		"length":           "超出字数",
		"officialese":      "官话套话",
		"overpromise":      "过度承诺",
		"vague_time":       "时间模糊",
		"missing_empathy":  "缺少共情",
		"missing_action":   "缺少行动",
		"missing_timeline": "缺少时限",
		"missing_contact":  "缺少联系渠道",
		"long_sentence":    "句子过长",
		"off_topic":        "答非所问",
		"typo":             "错别字",
	}
)

// KindName is the Chinese name of a kind (评论, 回复, 博文), or its id when
// it has none.
func KindName(k Kind) string { return nameOr(kindNames, k) }

// SeverityName is the Chinese name of a severity (错误, 警告, 提示).
func SeverityName(s Severity) string { return nameOr(severityNames, s) }

// CategoryName is the Chinese name of a review category (推诿搪塞 …).
func CategoryName(c string) string { return nameOr(categoryNames, c) }

// Names returns copies of the three tables, keyed by id, for a client
// that labels reviews itself (the web workspace).
func Names() (kinds, severities, categories map[string]string) {
	kinds, severities, categories = map[string]string{}, map[string]string{}, map[string]string{}
	for k, v := range kindNames {
		kinds[string(k)] = v
	}
	for k, v := range severityNames {
		severities[string(k)] = v
	}
	for k, v := range categoryNames {
		categories[k] = v
	}
	return kinds, severities, categories
}

func nameOr[K ~string](names map[K]string, id K) string {
	if n, ok := names[id]; ok {
		return n
	}
	return string(id)
}
