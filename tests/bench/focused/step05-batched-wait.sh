#!/bin/bash
# usage: batch.sh BIN N US CLIENTS PIPE  -> prints: syscalls/req cpu_us/req rps p50
BIN=$1; N=$2; US=$3; C=$4; P=$5; REQ=${REQ:-200000}
PORT=$((20000 + RANDOM % 20000))
BATCH_N=$N BATCH_US=$US taskset -c 0 $BIN --port $PORT >/dev/null 2>&1 &
PID=$!
for i in $(seq 50); do redis-cli -p $PORT ping >/dev/null 2>&1 && break; sleep 0.05; done
t0=$(awk '{print $14+$15}' /proc/$PID/stat)
out=$(perf stat -e raw_syscalls:sys_enter -x, -p $PID -- taskset -c 1 redis-benchmark -p $PORT -c $C -P $P -n $REQ -t get -r 100000 --csv 2>&1)
t1=$(awk '{print $14+$15}' /proc/$PID/stat)
kill $PID; wait $PID 2>/dev/null
calls=$(echo "$out" | grep raw_syscalls | cut -d, -f1)
rps=$(echo "$out" | grep '^"GET"' | cut -d'"' -f4)
p50=$(echo "$out" | grep '^"GET"' | cut -d'"' -f10)
awk -v c="$calls" -v r="$REQ" -v t="$((t1-t0))" -v rps="$rps" -v p50="$p50" -v n="$N" -v us="$US" 'BEGIN{printf "N=%s us=%s calls/req %.3f cpu_us/req %.2f rps %s p50 %s\n", n, us, c/r, t*10000/r, rps, p50}'
