// ioredis.js - ioredis, the other widely used Node.js client, against a
// server on 127.0.0.1:PORT, as an application uses it: SET with a TTL, GET,
// TTL, a pipeline of 1,000 SETs and one of 1,000 GETs, SCAN of every key
// (scanStream), then QUIT. tests/clients.bats runs it against each step,
// and against a real redis-server so that the script itself is known to be
// right.
//
//   node tests/clients/ioredis.js PORT
//
// Exits 0 if every reply was the one expected; otherwise prints what was
// not on stderr and exits 1.
//
// The client has its default options. ioredis 6 speaks RESP3: it opens
// each connection with HELLO 3 (and would fall back to RESP2 if HELLO were
// an unknown command), then CLIENT SETINFO, whose errors it ignores, then
// INFO, and is ready once INFO's reply has no "loading:1".
// By default it reconnects for ever after a failure, and holds commands
// until it is ready, so every step of this script runs under a deadline: a
// failure ends the script as a failure, never as a hang.
'use strict';

const Redis = require('ioredis');

const { port, fail, expectEqual, within, noteError, CONNECT_SECONDS, WORK_SECONDS, CLOSE_SECONDS, KEYS } =
    require('./check')('ioredis');

// pipelined(WHAT, PIPELINE): run an ioredis pipeline, whose exec() gives
// one [error, reply] pair per command, and return the replies; the first
// error fails the script.
async function pipelined(what, pipeline) {
    const results = await pipeline.exec();
    return results.map(([err, reply], i) => {
        if (err) fail(`${what}, command ${i + 1}: ${err.message}`);
        return reply;
    });
}

async function main() {
    // The constructor starts connecting at once; 'ready' comes after the
    // ready check.
    const redis = new Redis(port, '127.0.0.1');
    // ioredis prints an unhandled 'error' event as a warning; with a
    // listener it stays quiet, and the last one says why a deadline passed.
    redis.on('error', noteError);
    await within(CONNECT_SECONDS, 'connect (ready check)', new Promise((resolve) => redis.once('ready', resolve)));

    await within(WORK_SECONDS, 'the commands', commands(redis));

    // quit() sends QUIT and resolves on its +OK; the server then closes the
    // connection, and ioredis, told to quit, does not reconnect. Node exits
    // by itself, with status 0, once nothing is left in its event loop.
    expectEqual('QUIT', await within(CLOSE_SECONDS, 'QUIT', redis.quit()), 'OK');
    console.log(`ioredis: SET EX, GET, TTL, ${KEYS} pipelined SETs and GETs, SCAN: every reply as expected; closed`);
    // unref(): this timer alone does not keep Node running; it fires only
    // if something else does.
    setTimeout(() => fail(`still running ${CLOSE_SECONDS} s after closing: the client left something open`), CLOSE_SECONDS * 1000).unref();
}

async function commands(redis) {
    // SET with a TTL in seconds, then read both back. TTL counts down on a
    // slow machine, so any value from 1 to 100 is right.
    expectEqual('SET ttl-key EX 100', await redis.set('ttl-key', 'hello', 'EX', 100), 'OK');
    expectEqual('GET ttl-key', await redis.get('ttl-key'), 'hello');
    const ttl = await redis.ttl('ttl-key');
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 100) {
        fail(`TTL ttl-key: expected 1 to 100, got ${JSON.stringify(ttl)}`);
    }
    expectEqual('GET missing', await redis.get('missing'), null);

    // pipeline() queues commands and sends them together on exec(); unlike
    // multi(), it does not wrap them in MULTI and EXEC.
    const names = [];
    for (let i = 0; i < KEYS; i++) names.push(`key:${i}`);
    const sets = redis.pipeline();
    names.forEach((name, i) => sets.set(name, `value:${i}`));
    (await pipelined('pipelined SETs', sets)).forEach((reply, i) => expectEqual(`pipelined SET ${names[i]}`, reply, 'OK'));

    const gets = redis.pipeline();
    for (const name of names) gets.get(name);
    const values = await pipelined('pipelined GETs', gets);
    expectEqual('pipelined GETs: replies', values.length, KEYS);
    values.forEach((reply, i) => expectEqual(`pipelined GET ${names[i]}`, reply, `value:${i}`));

    // SCAN with MATCH, one cursor step after another: scanStream is a
    // readable stream of each step's keys. SCAN may return a key more than
    // once, never miss one that existed throughout: so a Set, and it must
    // hold exactly the 1,000 keys (ttl-key does not match).
    const found = new Set();
    for await (const keys of redis.scanStream({ match: 'key:*' })) {
        for (const key of keys) found.add(key);
    }
    for (const name of names) {
        if (!found.has(name)) fail(`SCAN MATCH key:* did not return ${name} (found ${found.size} keys)`);
    }
    expectEqual('SCAN MATCH key:*: distinct keys', found.size, KEYS);
}

// An error reply from the server is reported as its message, which names
// the command (ERR unknown command 'scan', ...); anything else, a bug in
// this script or the client, with its stack.
main().catch((err) => fail(err instanceof Redis.ReplyError ? `error reply: ${err.message}` : err.stack || String(err)));
