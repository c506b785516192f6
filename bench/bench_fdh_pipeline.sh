#!/usr/bin/env bash
# The labelled card-payment month through the whole stored pipeline (`fintrace process`, labels ignored
# by the models), then the stored ensemble scores evaluated against the labels.
#   bash bench/bench_fdh_pipeline.sh [path/to/fdh_2018-04.csv.gz]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/datasets/fdh_2018-04.csv.gz}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export FINTRACE_VAR_DIR="$work/var" FINTRACE_DATABASE_URL="sqlite:///$work/var/fintrace.db"
bin=.venv/bin
$bin/fintrace db upgrade >/dev/null
mapping='{"transaction_id": "TRANSACTION_ID", "posting_date": "TX_DATETIME", "amount": "TX_AMOUNT",
          "user": "CUSTOMER_ID", "vendor": "TERMINAL_ID"}'
$bin/fintrace process "$data" --mapping "$mapping" --json > "$work/outcome.json"
file_id=$($bin/python -c "import json,sys; print(json.load(open(sys.argv[1]))['data_file_id'])" "$work/outcome.json")
$bin/fintrace export scores --file-id "$file_id" --out "$work/scores.csv" >/dev/null
$bin/python bench/bench_ml_quality.py --data "$data" --scores-csv "$work/scores.csv"
