// node-redis.js - the official Node.js client, node-redis (the npm package
// `redis`), against a server on 127.0.0.1:PORT, as an application uses it:
// SET with a TTL, GET, TTL, 1,000 pipelined SETs and 1,000 pipelined GETs,
// SCAN of every key, then a clean close. tests/clients.bats runs it against
// each step, and against a real redis-server so that the script itself is
// known to be right.
//
//   node tests/clients/node-redis.js PORT
//
// Exits 0 if every reply was the one expected; otherwise prints what was
// not on stderr and exits 1.
//
// The client has its default options. node-redis 6 then opens each
// connection with HELLO 3 (RESP3), followed by CLIENT SETINFO and CLIENT
// MAINT_NOTIFICATIONS, whose errors it ignores (servers older than 7.2 do
// not know them). A failed HELLO is another matter: the client closes the
// connection and, by default, reconnects for ever, each failure an 'error'
// event. So every step of this script runs under a deadline: a failure ends
// the script as a failure, with the last error the client saw, never as a
// hang.
'use strict';

const { createClient, ErrorReply } = require('redis');

const { port, fail, expectEqual, within, noteError, CONNECT_SECONDS, WORK_SECONDS, CLOSE_SECONDS, KEYS } =
    require('./check')('node-redis');

async function main() {
    const client = createClient({ url: `redis://127.0.0.1:${port}` });
    // Listen for 'error': an 'error' event with no listener would crash
    // the process. The last one says why a deadline passed.
    client.on('error', noteError);
    await within(CONNECT_SECONDS, 'connect (HELLO 3)', client.connect());

    await within(WORK_SECONDS, 'the commands', commands(client));

    // close() waits for the replies still due, then closes the socket (it
    // sends no QUIT). Nothing else should keep the process alive after it:
    // Node exits by itself, with status 0, once the event loop is empty.
    await within(CLOSE_SECONDS, 'close', client.close());
    console.log(`node-redis: SET EX, GET, TTL, ${KEYS} pipelined SETs and GETs, SCAN: every reply as expected; closed`);
    // unref(): this timer alone does not keep Node running; it fires only
    // if something else does.
    setTimeout(() => fail(`still running ${CLOSE_SECONDS} s after closing: the client left something open`), CLOSE_SECONDS * 1000).unref();
}

async function commands(client) {
    // SET with a TTL in seconds, then read both back. TTL counts down on a
    // slow machine, so any value from 1 to 100 is right.
    expectEqual('SET ttl-key EX 100', await client.set('ttl-key', 'hello', { expiration: { type: 'EX', value: 100 } }), 'OK');
    expectEqual('GET ttl-key', await client.get('ttl-key'), 'hello');
    const ttl = await client.ttl('ttl-key');
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 100) {
        fail(`TTL ttl-key: expected 1 to 100, got ${JSON.stringify(ttl)}`);
    }
    expectEqual('GET missing', await client.get('missing'), null);

    // node-redis pipelines on its own: the commands issued in one tick of
    // the event loop go out in one write, and each promise gets its own
    // reply, matched by position.
    const names = [];
    for (let i = 0; i < KEYS; i++) names.push(`key:${i}`);
    const sets = await Promise.all(names.map((name, i) => client.set(name, `value:${i}`)));
    sets.forEach((reply, i) => expectEqual(`pipelined SET ${names[i]}`, reply, 'OK'));

    // The explicit way: a batch sent as a pipeline, without MULTI and EXEC
    // around it (execAsPipeline; exec() would make it a transaction).
    const batch = client.multi();
    for (const name of names) batch.get(name);
    const gets = await batch.execAsPipeline();
    expectEqual('pipelined GETs: replies', gets.length, KEYS);
    gets.forEach((reply, i) => expectEqual(`pipelined GET ${names[i]}`, reply, `value:${i}`));

    // SCAN with MATCH, one cursor step after another (scanIterator yields
    // each step's keys). SCAN may return a key more than once, never
    // miss one that existed throughout: so a Set, and it must hold exactly
    // the 1,000 keys (ttl-key does not match).
    const found = new Set();
    for await (const keys of client.scanIterator({ MATCH: 'key:*' })) {
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
main().catch((err) => fail(err instanceof ErrorReply ? `error reply: ${err.message}` : err.stack || String(err)));
