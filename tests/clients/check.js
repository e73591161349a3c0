// check.js - what the two client scripts share: the port they are given,
// failing with a message, comparing a reply, and a deadline around every
// step, so that a client that reconnects for ever fails instead of hanging.
//
//   const { port, fail, expectEqual, within, noteError } = require('./check')('node-redis');
'use strict';

// Generous: the tests run on a busy 2-core machine, against sanitizer
// builds too. A working server answers in well under a second.
const CONNECT_SECONDS = 10; // to connect and finish the handshake
const WORK_SECONDS = 60; // for all the commands after that
const CLOSE_SECONDS = 10; // to close the connection
const KEYS = 1000; // the pipelines' length, and how many keys SCAN must find

module.exports = function check(name) {
    const port = Number(process.argv[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
        console.error(`usage: node ${name}.js PORT`);
        process.exit(2);
    }

    // The client's last 'error' event, to say why a deadline passed.
    let lastError = null;
    function noteError(err) {
        lastError = err;
    }

    function fail(message) {
        console.error(`${name}: ${message}`);
        process.exit(1);
    }

    function expectEqual(what, got, expected) {
        if (got !== expected) {
            fail(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
        }
    }

    // within(SECONDS, WHAT, PROMISE): PROMISE's value, or the end of the
    // script if it has not settled within SECONDS.
    function within(seconds, what, promise) {
        let timer;
        const timeout = new Promise(() => {
            timer = setTimeout(() => {
                const why = lastError ? `; the client's last error: ${lastError.message}` : '';
                fail(`${what}: not done within ${seconds} s${why}`);
            }, seconds * 1000);
        });
        return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
    }

    return { port, fail, expectEqual, within, noteError, CONNECT_SECONDS, WORK_SECONDS, CLOSE_SECONDS, KEYS };
};
