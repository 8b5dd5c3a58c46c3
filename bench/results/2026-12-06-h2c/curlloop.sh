#!/bin/bash
# url n par [curl flags]
U=$1; N=$2; P=$3; F=${4:---http2}
seq $N | xargs -P $P -I{} sh -c "curl -s $F -m 20 -o /dev/null -w '%{http_version}/%{http_code}/' '$U'; echo rc=\$?" | sort | uniq -c
