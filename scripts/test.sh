#!/usr/bin/env bash
# `npm test`: everything, in order of cost: typecheck, lint, build, unit, integration (real lab),
# e2e (Playwright in Debian's Chromium). Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p artifacts/reports
rm -f artifacts/reports/*.json
fail=0
step() { echo; echo "=== $*"; }

step "Debian packages"; bash scripts/install-deps.sh || fail=1
step "typecheck"; npm run -s typecheck || fail=1
step "lint"; npm run -s lint || fail=1
step "build"; npm run -s build >/dev/null || { fail=1; echo "build failed"; }
step "unit tests"; npx vitest run --project unit --reporter=default --reporter=json --outputFile.json=artifacts/reports/unit.json || fail=1
step "integration tests (real lab)"; npx vitest run --project integration --passWithNoTests --reporter=default --reporter=json --outputFile.json=artifacts/reports/integration.json || fail=1
step "e2e (Chromium, browser mode)"; PLAYWRIGHT_JSON_OUTPUT_NAME=artifacts/reports/e2e.json npx playwright test --reporter=list,json || fail=1

node scripts/summarize-tests.mjs artifacts/reports || fail=1
exit $fail
