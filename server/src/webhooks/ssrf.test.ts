import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { REFUSED_DESTINATIONS } from '../../../test/ssrf-destinations.ts';
import { checkAddress, checkUrl, type Resolve } from './ssrf.ts';

// The rule, without sockets: what a webhook's URL may be when it is saved. That a delivery's
// connection obeys the same rule, DNS rebinding included, is tested with real sockets in
// workers/src/webhooks/guarded-dispatcher.test.ts.

/** A resolver that plays a DNS server: it gives the next scripted answer on each call. */
function scripted(...answers: LookupAddress[][]): Resolve & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    calls.push(hostname);
    const answer = answers[Math.min(calls.length, answers.length) - 1];
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return answer;
  };
  return Object.assign(resolve, { calls });
}

const publicAnswer: LookupAddress = { address: '93.184.215.14', family: 4 };
const loopback: LookupAddress = { address: '127.0.0.1', family: 4 };

describe('URL parsing', () => {
  // The guard relies on WHATWG URL turning every IPv4 spelling into a dotted quad, so that
  // the literal check in the dispatcher sees 127.0.0.1 and never "2130706433".
  it.each([
    ['http://2130706433/', '127.0.0.1'],
    ['http://0177.0.0.1/', '127.0.0.1'],
    ['http://0x7f.0.0.1/', '127.0.0.1'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://0x7f000001/', '127.0.0.1'],
    ['http://127.1/', '127.0.0.1'],
    ['http://0/', '0.0.0.0'],
    ['http://[::ffff:127.0.0.1]/', '[::ffff:7f00:1]'],
    ['http://[0:0:0:0:0:0:0:1]/', '[::1]'],
    ['http://LOCALHOST./', 'localhost.'],
  ])('%s has the host %s', (url, hostname) => {
    expect(new URL(url).hostname).toBe(hostname);
  });
});

describe('checkUrl', () => {
  it.each(REFUSED_DESTINATIONS)('refuses %s', async (_name, url, reason) => {
    // Refused for where it points (which WEBHOOK_ALLOW_PRIVATE would allow), or for its form.
    const address = reason.startsWith('resolves to') ? { address: true } : {};
    expect(await checkUrl(url(8080))).toEqual({ ok: false, reason, ...address });
  });

  it('allows loopback when allowPrivate is true', async () => {
    expect(await checkUrl('http://127.0.0.1:8080/', { allowPrivate: true })).toMatchObject({ ok: true });
  });

  it('resolves a name once and returns its checked answers', async () => {
    const resolve = scripted([publicAnswer], [loopback]);
    const url = 'http://rebind.test:8080/';
    expect(await checkUrl(url, { resolve })).toEqual({ ok: true, url: new URL(url), addresses: ['93.184.215.14'] });
    expect(resolve.calls).toEqual(['rebind.test']);
  });

  it('checks every answer, not just the first', async () => {
    expect(await checkUrl('http://mixed.test/', { resolve: scripted([publicAnswer, loopback]) })).toEqual({
      ok: false,
      reason: 'resolves to a loopback address (127.0.0.1)',
      address: true,
    });
  });

  it('reports a name that does not resolve, without throwing', async () => {
    expect(await checkUrl('http://nowhere.test/', { resolve: scripted() })).toEqual({
      ok: false,
      reason: 'does not resolve (ENOTFOUND)',
    });
    expect(await checkUrl('http://nowhere.test/', { resolve: scripted([]) })).toEqual({
      ok: false,
      reason: 'does not resolve (ENOTFOUND)',
    });
  });
});

describe('checkAddress', () => {
  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('allows the public address %s', (address) => {
    expect(checkAddress(address)).toEqual({ ok: true });
  });

  it.each([
    ['127.255.255.254', 'a loopback address'],
    ['172.31.255.255', 'a private address'],
    ['169.254.0.1', 'a link-local address'],
    ['169.254.170.2', 'a cloud metadata address'],
    ['168.63.129.16', 'a cloud metadata address'],
    ['100.100.100.200', 'a cloud metadata address'],
    ['240.0.0.1', 'a reserved address'],
    ['ff02::1', 'a multicast address'],
    ['2001:db8::1', 'a reserved address'],
    ['::7f00:1', 'a reserved address'],
    ['64:ff9b::a00:1', 'a private address'],
    ['::ffff:0:a00:1', 'a private address'],
    ['fe80::1%eth0', 'a link-local address'],
  ])('refuses %s as %s', (address, kind) => {
    expect(checkAddress(address)).toMatchObject({ ok: false, reason: expect.stringContaining(kind) });
  });
});
