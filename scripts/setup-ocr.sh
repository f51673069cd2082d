#!/usr/bin/env bash
# setup-ocr.sh installs what reading the pictures of PDF pages (OCR) needs,
# from Debian's packages: tesseract-ocr, its Simplified Chinese model
# tesseract-ocr-chi-sim, and poppler-utils (pdfimages). It does nothing
# when they are already installed. The OCR tests fail without them under
# CI=true, so scripts/test.sh runs this first.
set -euo pipefail

log() { printf '==> %s\n' "$*"; }
die() { printf '错误：%s\n' "$*" >&2; exit 1; }

have() {
	command -v tesseract >/dev/null 2>&1 && command -v pdfimages >/dev/null 2>&1 &&
		tesseract --list-langs 2>/dev/null | grep -qx chi_sim
}

if have; then
	log "文字识别已就绪：$(tesseract --version 2>&1 | head -n1)，简体中文模型 chi_sim，$(pdfimages -v 2>&1 | head -n1)"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || die "需要 root 权限安装 tesseract-ocr tesseract-ocr-chi-sim poppler-utils"
pkgs=(tesseract-ocr tesseract-ocr-chi-sim poppler-utils)
log "安装 ${pkgs[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null; then
	log "apt-get update"
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi
have || die "安装后仍找不到 tesseract 的简体中文模型或 pdfimages"
log "文字识别已就绪：$(tesseract --version 2>&1 | head -n1)"
