'use strict';
// Kuzzle depends on uWebSockets.js through a GitHub tarball we cannot reach. The npm package
// @trufflesuite/uws-js-unofficial ships a build of the same native module that loads on glibc 2.36;
// this wrapper exposes it under the expected name. Kuzzle calls app.listen(port, cb), which binds
// every interface and Kuzzle has no host setting, so listen() is forced onto one address: the loopback
// address, or UWS_LISTEN_HOST when set (serve --nodes: a node's own address inside its network namespace).
const binary = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
const uws = require(`@trufflesuite/uws-js-unofficial/binaries/${binary}`);

const HOST = process.env.UWS_LISTEN_HOST || '127.0.0.1';

function onLoopback(factory) {
  return function loopbackApp(...args) {
    const app = factory(...args);
    const listen = app.listen;
    app.listen = function listenOnLoopback(...listenArgs) {
      if (typeof listenArgs[0] === 'number') {
        return listen.call(this, HOST, ...listenArgs);
      }
      return listen.apply(this, listenArgs);
    };
    return app;
  };
}

module.exports = Object.assign({}, uws, {
  App: onLoopback(uws.App),
  SSLApp: onLoopback(uws.SSLApp),
});
