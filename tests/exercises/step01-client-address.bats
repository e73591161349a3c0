# tests/exercises/step01-client-address.bats - exercise of chapter 1: log where each client comes from.
# With --verbose, step01 must log "client connected from ADDR:PORT (fd N)",
# with the address accept() fills in. The test opens each connection from
# this shell and reads its real local port from the kernel's /proc/net/tcp,
# so a port logged in the wrong byte order, or the server's own, fails.
# Run it with: make exercise NAME=step01-client-address
STEP="${STEP:-step01_blocking}"
load ../helpers

teardown() {
    stop_server
}

# client_port FD: the local port of this shell's TCP socket FD, found in
# /proc/net/tcp by the socket's inode ("0100007F:D431" is 127.0.0.1:54321).
client_port() {
    local link inode local_address
    link=$(readlink "/proc/$BASHPID/fd/$1") || return 1
    inode=${link#socket:[}
    inode=${inode%]}
    local_address=$(awk -v inode="$inode" '$10 == inode { print $2 }' /proc/net/tcp)
    [ -n "$local_address" ] || return 1
    echo $((16#${local_address#*:}))
}

# connect_and_ping: open a connection from this shell, sets CLIENT_FD and
# CLIENT_PORT, and waits for a PONG, so the server has surely accepted it
# and logged it.
connect_and_ping() {
    local line
    exec {CLIENT_FD}<>"/dev/tcp/127.0.0.1/$PORT"
    CLIENT_PORT=$(client_port "$CLIENT_FD") || { echo "could not find the client's port in /proc/net/tcp"; return 1; }
    printf '*1\r\n$4\r\nPING\r\n' >&"$CLIENT_FD"
    read -r -t 10 line <&"$CLIENT_FD" || { echo "no reply to PING"; return 1; }
    [ "$line" = $'+PONG\r' ] || { echo "PING got: $line"; return 1; }
}

# expect_logged PORT: the server's log must have the line for a client on PORT.
expect_logged() {
    local port="$1"
    if ! grep -Eq "^$STEP: client connected from 127\\.0\\.0\\.1:$port \\(fd [0-9]+\\)\$" "$SERVER_LOG"; then
        echo "expected a line: $STEP: client connected from 127.0.0.1:$port (fd N)"
        echo "(the client's socket is 127.0.0.1:$port, as /proc/net/tcp shows)"
        echo "the server logged:"
        grep 'client connected' "$SERVER_LOG" || echo "(no 'client connected' line)"
        byte_order_hint "$port"
        return 1
    fi
}

# byte_order_hint PORT: say so when the log has PORT with its two bytes
# swapped, the mark of a port printed in network byte order.
byte_order_hint() {
    local swapped=$(((($1 & 255) << 8) | ($1 >> 8)))
    if [ "$swapped" != "$1" ] && grep -q "127\\.0\\.0\\.1:$swapped " "$SERVER_LOG"; then
        echo "$swapped is $1 with its two bytes swapped: the port is still in network byte order"
    fi
    return 0
}

@test "with --verbose, a client's connection is logged with its address and port" {
    start_server --verbose
    connect_and_ping
    expect_logged "$CLIENT_PORT"
    exec {CLIENT_FD}>&-
}

@test "each of three clients in turn is logged with its own port, in order" {
    start_server --verbose
    local ports=()
    for _ in 1 2 3; do
        connect_and_ping
        ports+=("$CLIENT_PORT")
        # Close it, so that step01 accepts the next one.
        exec {CLIENT_FD}>&-
    done
    # Three connect lines, in order, naming the three ports. Each was
    # logged before its client's PONG was sent, so all are there by now.
    local logged
    logged=$(sed -n 's/.*client connected from 127\.0\.0\.1:\([0-9]*\) (fd [0-9]*)$/\1/p' "$SERVER_LOG" | tr '\n' ' ')
    if [ "$logged" != "${ports[*]} " ]; then
        echo "the clients' ports were: ${ports[*]}"
        echo "the ports logged were:   ${logged:-none}"
        echo "the server logged:"
        grep 'client connected' "$SERVER_LOG" || echo "(no 'client connected' line)"
        byte_order_hint "${ports[0]}"
        return 1
    fi
}

@test "without --verbose, nothing is logged per client" {
    start_server
    connect_and_ping
    exec {CLIENT_FD}>&-
    if grep -q 'client' "$SERVER_LOG"; then
        echo "without --verbose the server logged:"
        grep 'client' "$SERVER_LOG"
        return 1
    fi
}
