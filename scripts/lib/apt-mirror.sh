# shellcheck shell=bash
# apt-mirror.sh: the Debian mirror this machine's apt already uses, for
# fetching Debian source packages of another release (setup-postgres.sh
# builds trixie's pgvector on bookworm). Source it; it defines apt_mirror
# and changes nothing else. scripts/test-setup-postgres.sh tests it.

# apt_mirror [APT_DIR] [OS_RELEASE] prints the URI of a Debian mirror,
# without a trailing slash:
#
#   - PGVECTOR_APT_MIRROR when it is set and not empty;
#   - else the URI of the first apt source entry (deb or deb-src) whose
#     suite is the system's own codename (VERSION_CODENAME of OS_RELEASE,
#     default /etc/os-release), not its -security, -updates or -backports
#     suite, and whose components include main (where Debian's source
#     packages are). Sources are read the way apt reads them, from
#     APT_DIR (default /etc/apt): sources.list, then sources.list.d/ in
#     name order, *.list in the one-line format and *.sources in the deb822
#     format (entries with "Enabled: no" are skipped); files with any other
#     name (x.list.disabled, x.sources.save) are not sources.
#
# Without either it prints a Chinese message saying to set
# PGVECTOR_APT_MIRROR to stderr and returns 1: it never falls back to a
# public host.
apt_mirror() {
	local apt_dir="${1:-/etc/apt}" os_release="${2:-/etc/os-release}"
	local uri codename f
	if [ -n "${PGVECTOR_APT_MIRROR:-}" ]; then
		uri="$PGVECTOR_APT_MIRROR"
		while [ "${uri%/}" != "$uri" ]; do uri="${uri%/}"; done
		printf '%s\n' "$uri"
		return 0
	fi

	codename=""
	if [ -r "$os_release" ]; then
		codename="$(sed -n 's/^VERSION_CODENAME=//p' "$os_release" | head -n1 | tr -d "\"' \t\r")"
	fi
	if [ -z "$codename" ]; then
		printf '%s\n' "无法从 ${os_release} 读取系统代号（VERSION_CODENAME），因而无法从软件源推断 Debian 镜像。" \
			"请设置 PGVECTOR_APT_MIRROR 为可访问的 Debian 镜像地址（须提供 trixie 的源码包），例如 PGVECTOR_APT_MIRROR=http://mirror.example.gov.cn/debian" >&2
		return 1
	fi

	for f in "$apt_dir/sources.list" "$apt_dir"/sources.list.d/*; do
		[ -f "$f" ] || continue
		uri=""
		case "$f" in
		*.list) uri="$(_apt_mirror_oneline "$codename" <"$f")" ;;
		*.sources) uri="$(_apt_mirror_deb822 "$codename" <"$f")" ;;
		esac
		if [ -n "$uri" ]; then
			while [ "${uri%/}" != "$uri" ]; do uri="${uri%/}"; done
			printf '%s\n' "$uri"
			return 0
		fi
	done

	printf '%s\n' "在 ${apt_dir} 的软件源中没有找到 ${codename} 主仓库的条目（suite 为 ${codename}、含 main 组件；-security、-updates、-backports 不算），无法推断 Debian 镜像。" \
		"请设置 PGVECTOR_APT_MIRROR 为可访问的 Debian 镜像地址（须提供 trixie 的源码包），例如 PGVECTOR_APT_MIRROR=http://mirror.example.gov.cn/debian" >&2
	return 1
}

# _apt_mirror_oneline CODENAME reads a one-line-format sources file on
# stdin ("deb [options] uri suite component...") and prints the URI of
# the first matching entry.
_apt_mirror_oneline() {
	awk -v codename="$1" '
		{ sub(/#.*/, "") }
		$1 != "deb" && $1 != "deb-src" { next }
		{
			i = 2
			if (substr($i, 1, 1) == "[") {        # [ options ], perhaps with blanks
				while (i <= NF && substr($i, length($i)) != "]") i++
				i++
			}
			uri = $i; suite = $(i + 1)
			if (uri == "" || uri ~ /^cdrom:/ || suite != codename) next
			for (k = i + 2; k <= NF; k++) if ($k == "main") { print uri; exit }
		}'
}

# _apt_mirror_deb822 CODENAME reads a deb822 sources file on stdin
# (stanzas of Types:, URIs:, Suites:, Components:, Enabled: fields,
# separated by blank lines) and prints the first URI of the first
# matching stanza.
_apt_mirror_deb822() {
	awk -v codename="$1" '
		function has(list, word,   n, a, k) {
			n = split(list, a)                     # on blanks, as fields are
			for (k = 1; k <= n; k++) if (a[k] == word) return 1
			return 0
		}
		function stanza(   u) {
			if (!done && tolower(enabled) != "no" && (has(types, "deb") || has(types, "deb-src")) &&
				has(suites, codename) && has(comps, "main") && split(uris, u) > 0 && u[1] !~ /^cdrom:/) {
				print u[1]
				done = 1
			}
			types = uris = suites = comps = enabled = key = ""
		}
		/^#/ { next }
		/^[ \t]*$/ { stanza(); next }
		/^[ \t]/ {                                 # a field continued
			if (key == "uris") uris = uris " " $0
			else if (key == "suites") suites = suites " " $0
			else if (key == "types") types = types " " $0
			else if (key == "components") comps = comps " " $0
			next
		}
		{
			c = index($0, ":")
			if (c == 0) next
			key = tolower(substr($0, 1, c - 1))
			val = substr($0, c + 1)
			if (key == "uris") uris = val
			else if (key == "suites") suites = val
			else if (key == "types") types = val
			else if (key == "components") comps = val
			else if (key == "enabled") { enabled = val; gsub(/[ \t]/, "", enabled) }
		}
		END { stanza() }'
}
