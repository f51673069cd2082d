#!/usr/bin/env bash
# test-setup-postgres.sh tests how setup-postgres.sh finds the Debian mirror
# to fetch pgvector's source package from (apt_mirror, scripts/lib/
# apt-mirror.sh) on apt source trees written to a temporary directory. It
# installs, builds and downloads nothing. Exit status 0 when every case
# passes.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/apt-mirror.sh
. "$HERE/lib/apt-mirror.sh"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
failures=0
cases=0

# tree NAME: a fresh fixture directory $TMP/NAME with etc/apt/sources.list.d
# and an os-release of bookworm; prints its path.
tree() {
	local d="$TMP/$1"
	mkdir -p "$d/apt/sources.list.d"
	printf '%s\n' 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"' 'VERSION_ID="12"' \
		'VERSION="12 (bookworm)"' 'VERSION_CODENAME=bookworm' 'ID=debian' >"$d/os-release"
	printf '%s\n' "$d"
}

# expect NAME WANT DIR [VAR=VALUE...]: apt_mirror on DIR's fixtures, with the
# given environment, prints WANT and succeeds; WANT "FAIL" means it must
# fail with a message naming PGVECTOR_APT_MIRROR and print nothing.
expect() {
	local name="$1" want="$2" dir="$3" out err status
	shift 3
	cases=$((cases + 1))
	status=0
	out="$(env -u PGVECTOR_APT_MIRROR "$@" bash -c '
		set -euo pipefail
		. "$1"
		apt_mirror "$2/apt" "$2/os-release"' _ "$HERE/lib/apt-mirror.sh" "$dir" 2>"$TMP/stderr")" || status=$?
	err="$(cat "$TMP/stderr")"
	if [ "$want" = FAIL ]; then
		if [ "$status" -ne 0 ] && [ -z "$out" ] && [[ "$err" == *PGVECTOR_APT_MIRROR* ]]; then
			echo "ok   $name"
			return
		fi
		echo "FAIL $name: status $status, output \"$out\", message \"$err\"; want a failure naming PGVECTOR_APT_MIRROR"
	else
		if [ "$status" -eq 0 ] && [ "$out" = "$want" ]; then
			echo "ok   $name"
			return
		fi
		echo "FAIL $name: status $status, output \"$out\" (stderr \"$err\"); want \"$want\""
	fi
	failures=$((failures + 1))
}

# ---------------------------------------------------------------- one-line format
d="$(tree oneline)"
cat >"$d/apt/sources.list" <<'EOF'
# deb http://old.gov.local/debian bookworm main
deb http://mirror.gov.local/debian-security bookworm-security main
deb http://mirror.gov.local/debian bookworm main contrib non-free-firmware
deb http://mirror.gov.local/debian bookworm-updates main
EOF
expect "one-line format" "http://mirror.gov.local/debian" "$d"

d="$(tree oneline-options)"
cat >"$d/apt/sources.list" <<'EOF'
deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.gov.local/debian-security/ bookworm-security main
deb-src [ arch=amd64 ] http://mirror.gov.local/debian/ bookworm main   # comment
EOF
expect "one-line format with options and a trailing slash" "http://mirror.gov.local/debian" "$d"

d="$(tree oneline-odd-path)"
printf '%s\n' 'deb http://mirror.gov.local/repo/debian-12/ bookworm main' >"$d/apt/sources.list.d/intranet.list"
expect "intranet mirror with an odd path" "http://mirror.gov.local/repo/debian-12" "$d"

d="$(tree oneline-third-party)"
printf '%s\n' 'deb [arch=amd64] https://download.docker.com/linux/debian bookworm stable' >"$d/apt/sources.list.d/a-docker.list"
printf '%s\n' 'deb cdrom:[Debian GNU/Linux 12.5.0 _Bookworm_ - Official amd64 DVD Binary-1]/ bookworm main' \
	'deb http://10.1.2.3/debian bookworm main' >"$d/apt/sources.list.d/b-main.list"
expect "third-party repository and installation disc skipped" "http://10.1.2.3/debian" "$d"

# ---------------------------------------------------------------- deb822 format
d="$(tree deb822)"
cat >"$d/apt/sources.list.d/debian.sources" <<'EOF'
Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
expect "deb822 format, several suites on one line (as on this machine)" "http://deb.debian.org/debian" "$d"

d="$(tree deb822-order)"
cat >"$d/apt/sources.list.d/mirror.sources" <<'EOF'
Types: deb
URIs: http://mirror.gov.local/debian-security/
Suites: bookworm-security
Components: main

types: deb deb-src
uris: http://mirror.gov.local/repo/debian-12/ http://backup.gov.local/debian
suites: bookworm-updates bookworm-backports bookworm
components: main contrib
signed-by:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mQINBGQ
 -----END PGP PUBLIC KEY BLOCK-----
EOF
expect "deb822 format, lower-case fields, several URIs, suite last" "http://mirror.gov.local/repo/debian-12" "$d"

d="$(tree deb822-disabled)"
cat >"$d/apt/sources.list.d/mirror.sources" <<'EOF'
Types: deb
URIs: http://old.gov.local/debian
Suites: bookworm
Components: main
Enabled: no

Types: deb
URIs:
 http://new.gov.local/debian
Suites: bookworm
Components: main
EOF
expect "deb822 format, disabled entry skipped, continued field" "http://new.gov.local/debian" "$d"

d="$(tree deb822-third-party)"
cat >"$d/apt/sources.list.d/a-zabbix.sources" <<'EOF'
Types: deb
URIs: https://repo.zabbix.example/debian
Suites: bookworm
Components: zabbix
EOF
cat >"$d/apt/sources.list.d/b-debian.sources" <<'EOF'
Types: deb
URIs: http://mirror.gov.local/debian
Suites: bookworm
Components: main
EOF
expect "deb822 format, entry without main skipped" "http://mirror.gov.local/debian" "$d"

# ---------------------------------------------------------------- order and files
d="$(tree order)"
printf '%s\n' 'deb http://first.gov.local/debian bookworm main' >"$d/apt/sources.list"
printf '%s\n' 'Types: deb' 'URIs: http://second.gov.local/debian' 'Suites: bookworm' 'Components: main' \
	>"$d/apt/sources.list.d/a.sources"
expect "sources.list before sources.list.d" "http://first.gov.local/debian" "$d"

d="$(tree disabled-files)"
printf '%s\n' 'deb http://disabled.gov.local/debian bookworm main' >"$d/apt/sources.list.d/a.list.disabled-by-farm"
printf '%s\n' 'Types: deb' 'URIs: http://disabled.gov.local/debian' 'Suites: bookworm' 'Components: main' \
	>"$d/apt/sources.list.d/b.sources.disabled-by-farm"
printf '%s\n' 'deb http://saved.gov.local/debian bookworm main' >"$d/apt/sources.list.d/c.list.save"
printf '%s\n' 'deb http://mirror.gov.local/debian bookworm main' >"$d/apt/sources.list.d/z.list"
expect "files of other names are not sources" "http://mirror.gov.local/debian" "$d"

d="$(tree only-disabled-files)"
printf '%s\n' 'deb http://disabled.gov.local/debian bookworm main' >"$d/apt/sources.list.d/debian.list.disabled-by-farm"
expect "only disabled files" FAIL "$d"

d="$(tree other-release)"
printf '%s\n' 'VERSION_CODENAME="bullseye"' >"$d/os-release"
printf '%s\n' 'deb http://mirror.gov.local/debian bookworm main' 'deb http://mirror.gov.local/debian11 bullseye main' \
	>"$d/apt/sources.list"
expect "the system's own codename, quoted" "http://mirror.gov.local/debian11" "$d"

# ---------------------------------------------------------------- no mirror
d="$(tree security-only)"
printf '%s\n' 'deb http://mirror.gov.local/debian-security bookworm-security main' \
	'deb http://mirror.gov.local/debian bookworm-updates main' >"$d/apt/sources.list"
printf '%s\n' 'Types: deb' 'URIs: http://mirror.gov.local/debian' 'Suites: bookworm-security bookworm-backports' \
	'Components: main' >"$d/apt/sources.list.d/debian.sources"
expect "security, updates and backports entries only" FAIL "$d"

d="$(tree empty)"
expect "no sources at all" FAIL "$d"
expect "no apt directory" FAIL "$TMP/does-not-exist"

d="$(tree no-codename)"
printf '%s\n' 'ID=debian' >"$d/os-release"
printf '%s\n' 'deb http://mirror.gov.local/debian bookworm main' >"$d/apt/sources.list"
expect "no codename in os-release" FAIL "$d"

# ---------------------------------------------------------------- override
d="$(tree override)"
printf '%s\n' 'deb http://mirror.gov.local/debian bookworm main' >"$d/apt/sources.list"
expect "PGVECTOR_APT_MIRROR wins over the sources" "http://override.gov.local/debian" "$d" \
	PGVECTOR_APT_MIRROR=http://override.gov.local/debian/
expect "PGVECTOR_APT_MIRROR without sources" "http://override.gov.local/repo" "$TMP/does-not-exist" \
	PGVECTOR_APT_MIRROR=http://override.gov.local/repo
expect "empty PGVECTOR_APT_MIRROR is unset" "http://mirror.gov.local/debian" "$d" PGVECTOR_APT_MIRROR=

# ---------------------------------------------------------------- the scripts
# setup-postgres.sh takes its mirror from apt_mirror and names no public
# Debian host to fall back to.
cases=$((cases + 1))
if grep -q '^\. "\$ROOT/scripts/lib/apt-mirror.sh"' "$HERE/setup-postgres.sh" &&
	grep -q 'mirror="\$(apt_mirror)"' "$HERE/setup-postgres.sh" &&
	! grep -n 'deb\.debian\.org' "$HERE/setup-postgres.sh" "$HERE/lib/apt-mirror.sh"; then
	echo "ok   setup-postgres.sh uses apt_mirror and no public host"
else
	echo "FAIL setup-postgres.sh does not use apt_mirror, or names a public host"
	failures=$((failures + 1))
fi

echo "${cases} cases, ${failures} failed"
[ "$failures" -eq 0 ]
