#!/usr/bin/env bash
# Mints a room token for a server started with akkasfu.auth.secret (README, "Authentication"):
#   AKKASFU_AUTH_SECRET=... scripts/token.sh --room R --peer P [--grants publish,subscribe,admin] [--ttl 1h]
# The token goes on the protoo URL (?token=) or page URL (&token=), or as "Authorization: Bearer" for the
# broadcaster API (--peer is then the broadcaster id).
set -euo pipefail
cd "$(dirname "$0")/.."
# Build first, quietly (only its errors are shown), so that stdout is the token alone: T=$(scripts/token.sh ...).
if ! out=$(dotnet build src/Signalling -nologo -v quiet -p:SkipClientApp=true 2>&1); then echo "$out" >&2; exit 1; fi
exec dotnet run --project src/Signalling --no-build -- token "$@"
