#!/usr/bin/env bash
# tools/static-curl.sh - a libcurl for `aslc build --static`, built from
# Debian's own curl source package (with Debian's patches applied).
#
#   tools/static-curl.sh [PREFIX]     (default: third_party/curl-static)
#
# Why: Debian's libcurl.a is configured with GSS-API (MIT Kerberos) and LDAP
# (which needs SASL); Debian ships libgssapi_krb5, libkrb5 and libsasl2 only
# as shared libraries, so a static link with it fails on hundreds of
# undefined references.  This builds the same curl version with only what
# aslc's HTTP and Lambda tasks use: HTTP and HTTPS over OpenSSL, zlib, the
# threaded resolver.  CA certificates: OpenSSL's defaults, which honour
# $SSL_CERT_FILE and $SSL_CERT_DIR (no path compiled in, so a scratch image
# can say where its bundle is).
#
# Needs dpkg-dev (dpkg-source), libssl-dev and zlib1g-dev; the source comes
# through apt from Debian's archive with a private source list (the
# machine's apt configuration is not changed).  Does nothing when
# PREFIX/lib/libcurl.a exists.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
PREFIX=${1:-$ROOT/third_party/curl-static}
if [ -f "$PREFIX/lib/libcurl.a" ]; then
    exit 0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/aslc-static-curl.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# The version of the libcurl headers the runtime is compiled against.
VERSION=$(dpkg-query -W -f='${Version}' libcurl4-openssl-dev 2> /dev/null || true)
if [ -z "$VERSION" ]; then
    echo "static-curl: libcurl4-openssl-dev is not installed" >&2
    exit 1
fi

mkdir -p "$WORK/lists/partial"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
cat > "$WORK/sources.list" << EOF
deb-src [signed-by=$KEYRING] http://deb.debian.org/debian bookworm main
deb-src [signed-by=$KEYRING] http://deb.debian.org/debian bookworm-updates main
deb-src [signed-by=$KEYRING] http://deb.debian.org/debian-security bookworm-security main
EOF
APT=(apt-get -qq -o "Dir::Etc::SourceList=$WORK/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$WORK/lists" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
echo "static-curl: fetching Debian's curl $VERSION source"
"${APT[@]}" update
(cd "$WORK" && "${APT[@]}" source "curl=$VERSION" > /dev/null 2>&1) || {
    echo "static-curl: apt-get source curl=$VERSION failed" >&2
    exit 1
}
SRC=$(find "$WORK" -maxdepth 1 -type d -name 'curl-*' | head -n1)

echo "static-curl: building libcurl.a (HTTP/HTTPS, OpenSSL, zlib) into $PREFIX"
cd "$SRC"
./configure --quiet --prefix="$PREFIX" --disable-shared --enable-static \
    --disable-dependency-tracking --with-openssl --with-zlib \
    --with-ca-fallback --without-ca-bundle --without-ca-path \
    --disable-ldap --disable-ldaps --disable-rtsp --disable-dict --disable-telnet \
    --disable-tftp --disable-pop3 --disable-imap --disable-smb --disable-smtp \
    --disable-gopher --disable-mqtt --disable-ftp --disable-file --disable-manual \
    --disable-ntlm --disable-kerberos-auth --disable-negotiate-auth --disable-docs \
    --without-libpsl --without-libidn2 --without-brotli --without-zstd \
    --without-nghttp2 --without-libssh2 --without-librtmp --without-libgsasl \
    > "$WORK/configure.log" 2>&1 || {
    tail -n 30 "$WORK/configure.log" >&2
    exit 1
}
make -s -j"$(nproc 2> /dev/null || echo 2)" -C lib > "$WORK/make.log" 2>&1 || {
    tail -n 30 "$WORK/make.log" >&2
    exit 1
}
make -s -C lib install > /dev/null
make -s -C include install > /dev/null
echo "static-curl: done ($PREFIX/lib/libcurl.a)"
