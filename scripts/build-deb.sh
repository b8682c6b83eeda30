#!/usr/bin/env bash
# Builds the treadd Debian package: release binaries with the Swift runtime linked in
# statically (--static-swift-stdlib: the target needs no Swift toolchain), the systemd unit,
# sysusers/tmpfiles/udev files, the default configuration (a conffile), the drive profiles
# and example programs, and maintainer scripts. Packs with dpkg-deb.
#
# Usage: scripts/build-deb.sh [OUTPUT-DIR]      (default: dist/)
# Environment: TREADD_DEB_SCRATCH (build folder, default .build-deb), TREADD_DEB_SKIP_BUILD=1
# reuses the binaries already built there.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

out="${1:-dist}"
scratch="${TREADD_DEB_SCRATCH:-.build-deb}"
version=$(sed -n 's/.*static let version = "\(.*\)".*/\1/p' Sources/TreadDaemon/Daemon.swift)
arch=$(dpkg --print-architecture)
[ -n "$version" ] || { echo "build-deb: no version in Sources/TreadDaemon/Daemon.swift" >&2; exit 1; }

if [ "${TREADD_DEB_SKIP_BUILD:-0}" != 1 ]; then
  for product in treadd treadctl treadsim; do
    swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product "$product"
  done
fi
bin=$(swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
pkg="$root/treadd"
install -d "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/lib/systemd/system" "$pkg/usr/lib/sysusers.d" "$pkg/usr/lib/tmpfiles.d" \
  "$pkg/lib/udev/rules.d" "$pkg/etc/treadd" "$pkg/usr/share/treadd/drives" "$pkg/usr/share/treadd/programs" "$pkg/usr/share/doc/treadd"

for b in treadd treadctl treadsim; do
  install -m 0755 "$bin/$b" "$pkg/usr/bin/$b"
  strip --strip-unneeded "$pkg/usr/bin/$b"
done
install -m 0644 systemd/treadd.service "$pkg/lib/systemd/system/treadd.service"
install -m 0644 systemd/treadd.sysusers "$pkg/usr/lib/sysusers.d/treadd.conf"
install -m 0644 systemd/treadd.tmpfiles "$pkg/usr/lib/tmpfiles.d/treadd.conf"
install -m 0644 systemd/60-treadd.rules "$pkg/lib/udev/rules.d/60-treadd.rules"
install -m 0644 Config/treadd.toml "$pkg/etc/treadd/treadd.toml"
install -m 0644 Config/drives/*.toml "$pkg/usr/share/treadd/drives/"
install -m 0644 Config/programs/*.toml "$pkg/usr/share/treadd/programs/"
install -m 0644 README.md docs/service.md docs/protocol.md docs/programs.md docs/drive-profiles.md docs/safety-inputs.md "$pkg/usr/share/doc/treadd/"

# Shared-library dependencies as Debian computes them (dpkg-shlibdeps wants a debian/control).
shl=$(mktemp -d)
mkdir -p "$shl/debian"
printf 'Source: treadd\n\nPackage: treadd\nArchitecture: any\n' > "$shl/debian/control"
depends=$(cd "$shl" && dpkg-shlibdeps -O "$pkg/usr/bin/treadd" "$pkg/usr/bin/treadctl" "$pkg/usr/bin/treadsim" | sed -n 's/^shlibs:Depends=//p')
rm -rf "$shl"
[ -n "$depends" ] || { echo "build-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$depends/" \
  packaging/debian/control.in > "$pkg/DEBIAN/control"
echo "/etc/treadd/treadd.toml" > "$pkg/DEBIAN/conffiles"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$pkg/DEBIAN/"

mkdir -p "$out"
deb="$out/treadd_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$pkg" "$deb" >/dev/null
echo "build-deb: $deb ($(du -h "$deb" | cut -f1))"
grep '^Depends:' "$pkg/DEBIAN/control"
for b in treadd treadctl treadsim; do echo "  /usr/bin/$b $(du -h "$pkg/usr/bin/$b" | cut -f1)"; done
