#!/usr/bin/env bash
# gen-drafts.sh writes docs/drafts.md: the offline assistant's drafts for
# the twenty citizen posts of docs/drafts-posts.tsv (complaints, inquiries,
# suggestions, rumours, calls for help, praise, an emergency), each with
# its review and self-check, through the real command (`govreply draft`,
# embedded default: in-memory store, built-in knowledge base, no model
# server). It fails when any variant does not pass review; it counts the
# variants whose self-check fails.
#
#   scripts/gen-drafts.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"
go build -o "$WORK/govreply" ./cmd/govreply
unset DATABASE_URL GOVREPLY_LLM GOVREPLY_RULES

out="$WORK/drafts.md"
{
	echo "# 离线起草示例（20 条）"
	echo
	echo "由 \`scripts/gen-drafts.sh\` 生成：对 \`docs/drafts-posts.tsv\` 中的每条网民留言运行"
	echo "\`govreply draft\`（内置知识库、内存存储、离线起草，无需模型服务），每个草稿都附审核结果。"
	echo "【待核实：…】是起草时不知道、须由经办人补充或核实的内容。"
	echo
} >"$out"

n=0
failed=0
unchecked=0
while IFS=$'\t' read -r kind tone post facts; do
	case "$kind" in "" | \#*) continue ;; esac
	n=$((n + 1))
	args=(draft --kind "$kind" --tone "$tone")
	if [ -n "${facts:-}" ]; then
		args+=(--facts "$(printf '%b' "$facts")")
	fi
	text="$("$WORK/govreply" "${args[@]}" "$post")"
	if grep -q "^审核：.*未通过" <<<"$text"; then
		failed=$((failed + 1))
		echo "未通过审核：$post" >&2
	fi
	if grep -q "^自检：未通过" <<<"$text"; then
		unchecked=$((unchecked + 1))
	fi
	{
		echo "## $n. $post"
		echo
		echo "类型：$kind　语气：$tone"
		if [ -n "${facts:-}" ]; then
			echo
			echo "已知情况："
			printf '%b\n' "$facts" | sed 's/^/> /'
		fi
		echo
		echo '```text'
		echo "$text"
		echo '```'
		echo
	} >>"$out"
done <docs/drafts-posts.tsv

cp "$out" docs/drafts.md
echo "docs/drafts.md：$n 条留言，未通过审核的 $failed 条，有草稿未通过自检的 $unchecked 条"
[ "$failed" -eq 0 ]
