// undici as strata's bundle sees it (bundle-cli.mjs resolves `undici` here, in the bundle only: tsc,
// the types and the unit tests use the package's own entry). It is the part of undici strata uses:
// request, Agent and the redirect interceptor. The package's index also loads fetch, WebSocket,
// EventSource, the mock and snapshot agents and the HTTP caches, which cost every registry command
// about 20 ms of a 2-core host's start-up. If undici moves these files, the bundle does not build.
'use strict';
const Dispatcher = require('undici/lib/dispatcher/dispatcher');
const Agent = require('undici/lib/dispatcher/agent');
const api = require('undici/lib/api');
const { getGlobalDispatcher } = require('undici/lib/global');
const redirect = require('undici/lib/interceptor/redirect');

// as undici's index does: dispatchers get request(), stream()... as methods
Object.assign(Dispatcher.prototype, api);

/** request(url, opts) as undici's own: sent through opts.dispatcher, or the global dispatcher. */
function request(url, opts = {}) {
  const u = new URL(url);
  const { dispatcher = getGlobalDispatcher(), ...rest } = opts;
  return api.request.call(dispatcher, {
    ...rest,
    origin: u.origin,
    path: u.search ? `${u.pathname}${u.search}` : u.pathname,
    method: opts.method || (opts.body ? 'PUT' : 'GET'),
  });
}

module.exports = { Agent, Dispatcher, request, interceptors: { redirect } };
