#!/usr/bin/env bash
# Copy the front-end libraries the PWA and the browser tests use from their npm
# packages into the repository. The PWA has no build step, so the vendored
# files are committed and served as they are; node_modules is not.
#
# Run from anywhere:  bash scripts/vendor.sh
# Upgrading: change package.json, `npm install`, then run this script again and
# commit package-lock.json together with what it copied.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# --ignore-scripts: nothing we vendor needs an install script, and it keeps
# swagger-ui-dist's analytics dependency (@scarf/scarf) from phoning home.
npm ci --ignore-scripts --no-audit --no-fund

nm="$root/node_modules"
vendor="$root/pwa/static/vendor"
browser_vendor="$root/tests/browser/vendor"

version_of() {
  node -p "require('$nm/$1/package.json').version"
}

# Start clean so a file dropped upstream does not linger here.
rm -rf "$vendor/leaflet" "$vendor/swagger-ui"
mkdir -p "$vendor/leaflet/images" "$vendor/swagger-ui" "$browser_vendor"

# Leaflet: the map on the resident shell (leaflet.css finds images/ beside it).
cp "$nm/leaflet/dist/leaflet.js" "$nm/leaflet/dist/leaflet.css" "$vendor/leaflet/"
cp "$nm/leaflet/dist/images/"* "$vendor/leaflet/images/"
cp "$nm/leaflet/LICENSE" "$vendor/leaflet/LICENSE"

# Swagger UI: flask-smorest serves its page from /static/vendor/swagger-ui/.
for f in swagger-ui-bundle.js swagger-ui.css swagger-ui-standalone-preset.js \
         favicon-16x16.png favicon-32x32.png LICENSE NOTICE; do
  cp "$nm/swagger-ui-dist/$f" "$vendor/swagger-ui/"
done

# axe-core: only the browser tests inject it; it is never served to users.
cp "$nm/axe-core/axe.min.js" "$browser_vendor/axe.min.js"
cp "$nm/axe-core/LICENSE" "$browser_vendor/axe-core.LICENSE"

{
  echo "# Written by scripts/vendor.sh from package-lock.json; do not edit."
  echo "leaflet@$(version_of leaflet)"
  echo "swagger-ui-dist@$(version_of swagger-ui-dist)"
  echo "axe-core@$(version_of axe-core)  (tests/browser/vendor/)"
} > "$vendor/VERSIONS.txt"

echo "vendored:"
cat "$vendor/VERSIONS.txt"
