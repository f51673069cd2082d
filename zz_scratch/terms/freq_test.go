package main

import (
	"fmt"
	"testing"

	"govreply/ingest/segment"
)

func TestFreq(t *testing.T) {
	s := segment.Default()
	for _, w := range []string{"微博", "官微", "微博上", "政务", "网友", "回复", "的", "我们", "们最", "区停", "发事", "评论区", "新媒体", "抖音", "12345", "城管", "盗号", "点赞", "网言网语", "表情包", "大v", "自媒体", "辟谣", "推诿", "甩锅"} {
		fmt.Printf("%s known=%v idf=%.2f freq=%.0f\n", w, segment.Known(w), segment.IDF(w), s.Freq(w))
	}
	fmt.Println("total", s.TotalFreq())
}
