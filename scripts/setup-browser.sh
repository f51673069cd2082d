#!/usr/bin/env bash
# setup-browser.sh installs what the web workspace's browser tests need,
# from Debian's packages: chromium (driven by chromedp) and fonts-noto-cjk
# (so that screenshots show Chinese text, not boxes). It does nothing when
# they are already installed. The browser tests fail without chromium
# under CI=true, so scripts/test.sh runs this first.
set -euo pipefail

log() { printf '==> %s\n' "$*"; }
die() { printf '错误：%s\n' "$*" >&2; exit 1; }

have() {
	command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -qi 'noto'
}

if have; then
	log "浏览器已就绪：$(chromium --version 2>/dev/null | head -n1)，中文字体 Noto CJK"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || die "需要 root 权限安装 chromium fonts-noto-cjk"
pkgs=(chromium fonts-noto-cjk)
log "安装 ${pkgs[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null; then
	log "apt-get update"
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi
have || die "安装后仍找不到 chromium 或 Noto CJK 字体"
log "浏览器已就绪：$(chromium --version 2>/dev/null | head -n1)"
