#!/bin/bash
# usage: matrix.sh label base-url [paths-set: all|hm]
L=$1; U=$2; SET=${3:-all}
K=$(printf 'big/00000' | base64); P=$(printf 'big/' | base64); PE=$(printf 'big0' | base64)
declare -a REQ
REQ=("GET /metrics" "GET /health")
if [ "$SET" = all ]; then
REQ+=("GET /version" "POST /v3/kv/put {\"key\":\"$(printf small|base64)\",\"value\":\"dg==\"}"
 "POST /v3/kv/range {\"key\":\"$K\"}" "POST /v3/kv/range {\"key\":\"$P\",\"range_end\":\"$PE\"}"
 "POST /v3/watch {\"create_request\":{\"key\":\"$K\"}}")
fi
for r in "${REQ[@]}"; do
  m=${r%% *}; rest=${r#* }; path=${rest%% *}; body=""; [ "$m" = POST ] && body=${rest#* }
  name="$m $path"; [ "$path" = /v3/kv/range ] && { [[ $body == *range_end* ]] && name="$name(big)" || name="$name(small)"; }
  for cl in jdk-default jdk-h2 curl-h2-upgrade curl-h2-prior; do
    case $cl in
      jdk-default) out=$(timeout 30 java -cp probe Probe default "$U$path" "$body" 2>&1 | tail -1);;
      jdk-h2) out=$(timeout 30 java -cp probe Probe h2 "$U$path" "$body" 2>&1 | tail -1);;
      curl-h2-upgrade|curl-h2-prior)
        f=--http2; [ $cl = curl-h2-prior ] && f=--http2-prior-knowledge
        if [ "$path" = /v3/watch ]; then
          out=$(curl -sk $f -m 3 -o /tmp/h2c/curl.out -w '%{http_version} %{http_code} bytes=%{size_download}' -X POST -d "$body" "$U$path" 2>&1; echo " rc=$?")
          out="$out first=$(head -c 60 /tmp/h2c/curl.out)"
        elif [ -n "$body" ]; then
          out=$(curl -sk $f -m 20 -o /tmp/h2c/curl.out -w '%{http_version} %{http_code} bytes=%{size_download}' -X POST -d "$body" "$U$path" 2>&1; echo " rc=$?")
        else
          out=$(curl -sk $f -m 20 -o /tmp/h2c/curl.out -w '%{http_version} %{http_code} bytes=%{size_download}' "$U$path" 2>&1; echo " rc=$?")
        fi;;
    esac
    printf '%-8s %-22s %-16s %s\n' "$L" "$name" "$cl" "$out"
  done
done
