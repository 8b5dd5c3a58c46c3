#!/usr/bin/env bash
# per-thread-group CPU seconds of pid $1
pid=$1; t=$(getconf CLK_TCK)
for f in /proc/$pid/task/*/stat; do
  s=$(cat "$f" 2>/dev/null) || continue
  name=${s#*(}; name=${name%)*}; rest=${s##*) }
  set -- $rest
  echo "$name ${12} ${13}"
done | awk -v t=$t '{n=$0; sub(/ [0-9]+ [0-9]+$/,"",n); g=n; gsub(/[0-9]+$/,"",g); gsub(/-[0-9]+$/,"",g); c[g]+=($(NF-1)+$NF)/t; tot+=($(NF-1)+$NF)/t} END {for (g in c) if (c[g]>=0.05) printf "%-28s %6.2f\n", g, c[g]; printf "%-28s %6.2f\n","TOTAL(live threads)",tot}' | sort -k2 -n -r -t$'\t'
