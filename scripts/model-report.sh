#!/usr/bin/env bash
# Build the model components and run each over the shipped real
# data (S&P 500 and Nasdaq daily closes, 1999-2018), then print a report.
# Outputs stay in target/demo/ for a closer look.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build-plugins.sh >&2
cargo build --release --locked -p hft-host >&2
hft=target/release/hft-host
wasm=target/wasm32-wasip2/release
out=target/demo
mkdir -p "$out"

"$hft" model run --plugin "$wasm/kalman.wasm" --input data/spx-ndx.csv \
  --columns 'x=log(spx),y=log(ndx)' --keep date --params delta=1e-6,ve=1e-4 --out "$out/kalman.csv"
"$hft" model fit --plugin "$wasm/garch.wasm" --input data/sp500.csv --column 'pct(adj_close)' \
  --params dist=normal --horizon 10 --out "$out/garch-fit-normal.json"
"$hft" model fit --plugin "$wasm/garch.wasm" --input data/sp500.csv --column 'pct(adj_close)' \
  --params dist=t --horizon 10 --out "$out/garch-fit-t.json"
"$hft" model run --plugin "$wasm/garch.wasm" --input data/sp500.csv --columns 'ret=pct(adj_close)' \
  --keep date --params dist=t,window=1000,min-obs=500,refit-every=250 --out "$out/garch-online.csv"
"$hft" model run --plugin "$wasm/bocd.wasm" --input data/sp500.csv --columns 'x=pct100(adj_close)' \
  --keep date --params hazard-lambda=250,window=5 --out "$out/bocd.csv"

json() { sed -n "s/.*\"$2\": *\([-0-9.eE+]*\).*/\1/p" "$1" | head -1; }

echo
echo "hft-host model report (data: S&P 500 and Nasdaq daily, 1999-01-04 to 2018-12-31)"
echo
echo "Kalman hedge ratio, log(Nasdaq) on log(S&P 500), delta=1e-6, ve=1e-4"
awk -F, 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next}
  {n++; b=$c["beta"]; z=$c["zscore"]; if(n==1||b<lo)lo=b; if(n==1||b>hi)hi=b;
   if(z>2||z<-2)wide++; last=$1; lb=b; la=$c["alpha"]}
  END{printf "  %d days; beta ranged %.3f to %.3f; on %s beta=%.4f alpha=%.4f\n", n, lo, hi, last, lb, la;
      printf "  |z-score| > 2 on %d days (%.1f%%): the spread signals a pairs strategy would act on\n", wide, 100*wide/n}' "$out/kalman.csv"
echo
echo "GARCH(1,1), constant mean, S&P 500 returns in percent (fitted on all 5,030 days)"
for d in normal t; do
  f="$out/garch-fit-$d.json"
  f1=$(json "$f" forecasts || true)
  f1=$(sed -n '/"forecasts"/{n;s/[ ,]//g;p;}' "$f")
  printf "  %-6s mu=%s omega=%s alpha=%s beta=%s%s loglik=%s\n" "$d" \
    "$(json "$f" mu)" "$(json "$f" omega)" "$(json "$f" alpha)" "$(json "$f" beta)" \
    "$( [ "$d" = t ] && printf ' nu=%s' "$(json "$f" nu)")" "$(json "$f" loglik)"
  awk -v v="$f1" 'BEGIN{printf "         next-day volatility forecast %.2f%% (annualised %.1f%%)\n", sqrt(v), sqrt(252*v)}'
done
awk -F, 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next} $c["ready"]==1{n++; s=$c["std_resid"]; ss+=s*s; if($c["refitted"]==1)r++}
  END{printf "  online (Student-t, 1000-day window, refit every 250 days): %d refits; mean squared standardised residual %.3f\n", r, ss/n}' "$out/garch-online.csv"
echo
echo "Bayesian online changepoint detection on daily percent returns (hazard 1/250)"
awk -F, 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next}
  {p=$c["change_prob"]; if(p>0.5 && !on){alarms++; if(alarms<=12) list=list" "$1; on=1} if(p<0.2)on=0; n++; h+=$c["hypotheses"]}
  END{printf "  %d regime-change alarms (P(new segment within 5 days) > 0.5); mean %.0f run-length hypotheses kept per step\n", alarms, h/n;
      printf "  first alarms:%s\n", list}' "$out/bocd.csv"
echo
echo "Per-step outputs: $out/{kalman,garch-online,bocd}.csv; fits: $out/garch-fit-*.json"
