/**
 * The connection half of the webhook SSRF guard (server/src/webhooks/ssrf.ts holds the rule):
 * an undici dispatcher whose every connection resolves its host once with the guard's own
 * lookup, checks every answer, and connects to those answers. Why and how: docs/decisions/0009.
 */
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import {
  checkAddress,
  RefusedDestinationError,
  resolveChecked,
  systemResolve,
  type GuardOptions,
  type Resolve,
} from '../../../server/src/webhooks/ssrf.ts';

/** A `net.connect` lookup that resolves once, checks every answer, and hands the socket those. */
function guardedLookup(allowPrivate: boolean, resolve: Resolve): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    resolveChecked(hostname, allowPrivate, resolve).then(
      (addresses) => {
        const wanted = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
        const first = wanted[0];
        if (!first) {
          callback(Object.assign(new Error(`no IPv${family} address for ${hostname}`), { code: 'ENOTFOUND' }), '');
        } else if (options.all) {
          // Every answer passed the check, so Happy Eyeballs may try any of them.
          callback(null, wanted);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}

/**
 * An undici dispatcher for webhook deliveries: every connection's host is resolved once by the
 * guard's own lookup, every answer is checked, and the socket connects to those answers, so
 * there is no second resolution for a rebinding DNS server to answer differently. Close it
 * (`await dispatcher.close()`) when the worker stops.
 *
 * @example const dispatcher = createGuardedDispatcher({ allowPrivate: config.WEBHOOK_ALLOW_PRIVATE });
 */
export function createGuardedDispatcher(options: GuardOptions = {}): Agent {
  const { allowPrivate = false, resolve = systemResolve } = options;
  const connectPinned = buildConnector({ lookup: guardedLookup(allowPrivate, resolve) });
  return new Agent({
    connect(connectOptions, callback) {
      // net.connect skips `lookup` when the host is already an IP address, so literals
      // (which URL parsing produced from every decimal/octal/hex spelling) are checked here.
      const verdict = allowPrivate || !isIP(connectOptions.hostname) ? null : checkAddress(connectOptions.hostname);
      if (verdict && !verdict.ok) {
        callback(new RefusedDestinationError(verdict.reason), null);
        return;
      }
      connectPinned(connectOptions, callback);
    },
  });
}
