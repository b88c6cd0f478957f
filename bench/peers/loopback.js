// Preload for Node servers that have no host option (node -r ./loopback.js server.js):
// a listen() given only a port (or a port and a callback) binds 127.0.0.1 instead of every
// interface. Explicit hosts and option objects without a host get 127.0.0.1 too.
'use strict';
const net = require('net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    const rest = args.slice(1);
    if (typeof rest[0] === 'string') rest.shift();         // a host was given: replace it
    return listen.call(this, Number(first), '127.0.0.1', ...rest);
  }
  if (first && typeof first === 'object' && !Array.isArray(first) && first.path === undefined) {
    return listen.call(this, { ...first, host: '127.0.0.1' }, ...args.slice(1));
  }
  return listen.apply(this, args);
};
