#!/usr/bin/env bash
# gen-drafts.sh writes docs/drafts.md: the offline assistant's drafts for
# the example requests of bot/offline/testdata/drafts.jsonl (every class,
# comments, replies and announcements, with and without facts, abusive and
# frightened posters), each with what the drafter read in the post, the
# facts by role, every variant with its review and self-check, through the
# real command (`govreply draft`, embedded default: in-memory store,
# built-in knowledge base, no model server). It fails when a variant does
# not pass review or its self-check. `go test ./bot/offline -run
# TestDraftExamples` checks the same requests.
#
#   scripts/gen-drafts.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"
go build -o "$WORK/govreply" ./cmd/govreply
unset DATABASE_URL GOVREPLY_LLM GOVREPLY_RULES
EXAMPLES=bot/offline/testdata/drafts.jsonl

out="$WORK/drafts.md"
total="$(grep -c . "$EXAMPLES")"
{
	echo "# 离线起草示例（$total 条）"
	echo
	echo "由 \`scripts/gen-drafts.sh\` 生成：对 \`$EXAMPLES\` 中的每条请求（网民留言，或工作人员要发的通告）"
	echo "运行 \`govreply draft\`（内置知识库、内存存储、离线起草，无需模型服务）。每条先列出读帖结果和事实分解，"
	echo "再列出各个草稿及其审核结果。【待核实：…】是起草时不知道、须由经办人补充或核实的内容。"
	echo
} >"$out"

n=0
failed=0
unchecked=0
while IFS= read -r line; do
	n=$((n + 1))
	kind="$(jq -r .kind <<<"$line")"
	tone="$(jq -r .tone <<<"$line")"
	post="$(jq -r .post <<<"$line")"
	facts="$(jq -r .facts <<<"$line")"
	class="$(jq -r .class <<<"$line")"
	args=(draft --kind "$kind" --tone "$tone")
	if [ -n "$facts" ]; then
		args+=(--facts "$facts")
	fi
	text="$("$WORK/govreply" "${args[@]}" "$post")"
	if grep -q "^审核：.*未通过" <<<"$text"; then
		failed=$((failed + 1))
		echo "未通过审核：$post" >&2
	fi
	if grep -q "^自检：未通过" <<<"$text"; then
		unchecked=$((unchecked + 1))
		echo "未通过自检：$post" >&2
	fi
	{
		echo "## $n. $post"
		echo
		echo "类型：$kind　语气：$tone　标注类别：$class"
		if [ -n "$facts" ]; then
			echo
			echo "已知情况："
			sed 's/^/> /' <<<"$facts"
		fi
		echo
		echo '```text'
		echo "$text"
		echo '```'
		echo
	} >>"$out"
done <"$EXAMPLES"

cp "$out" docs/drafts.md
echo "docs/drafts.md：$n 条请求，有草稿未通过审核的 $failed 条，有草稿未通过自检的 $unchecked 条"
[ "$failed" -eq 0 ] && [ "$unchecked" -eq 0 ]
