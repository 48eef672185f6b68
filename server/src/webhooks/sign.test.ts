import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateSecret, sign, verify } from './sign.ts';

const secret = generateSecret();
const id = 'msg_2bWXkR9eFJ7';
const now = Math.floor(Date.now() / 1000);
const body = JSON.stringify({ type: 'ticket.moved', timestamp: new Date().toISOString(), data: { id: 42 } });

function headers(timestamp: number, payload: string = body, key: string = secret) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': sign(key, id, timestamp, payload),
  };
}

describe('generateSecret', () => {
  it('is whsec_ and 32 random bytes of base64', () => {
    const a = generateSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(generateSecret()).not.toBe(a);
  });
});

describe('sign and verify', () => {
  it('round-trips', () => {
    expect(sign(secret, id, now, body)).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(verify(secret, headers(now), body, 300, now)).toBe(true);
    expect(verify(secret, new Headers(headers(now)), Buffer.from(body), 300, now)).toBe(true);
  });

  it('matches a known signature', () => {
    // Fixed inputs: a regression here means receivers would stop verifying our deliveries.
    const fixed = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    expect(sign(fixed, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('fails for a tampered body, id, timestamp or secret', () => {
    const good = headers(now);
    expect(verify(secret, good, `${body} `, 300, now)).toBe(false);
    expect(verify(secret, { ...good, 'webhook-id': 'msg_other' }, body, 300, now)).toBe(false);
    expect(verify(secret, { ...good, 'webhook-timestamp': String(now + 1) }, body, 300, now + 1)).toBe(false);
    expect(verify(generateSecret(), good, body, 300, now)).toBe(false);
    expect(verify(secret, { ...good, 'webhook-signature': 'v1,' }, body, 300, now)).toBe(false);
    expect(
      verify(secret, { ...good, 'webhook-signature': good['webhook-signature'].replace('v1', 'v2') }, body, 300, now),
    ).toBe(false);
  });

  it('accepts any one matching signature of several (secret rotation)', () => {
    const old = generateSecret();
    const both = { ...headers(now), 'webhook-signature': `${sign(old, id, now, body)} ${sign(secret, id, now, body)}` };
    expect(verify(secret, both, body, 300, now)).toBe(true);
    expect(verify(old, both, body, 300, now)).toBe(true);
  });

  it('refuses timestamps outside the tolerance, in either direction', () => {
    expect(verify(secret, headers(now - 300), body, 300, now)).toBe(true);
    expect(verify(secret, headers(now - 301), body, 300, now)).toBe(false);
    expect(verify(secret, headers(now + 301), body, 300, now)).toBe(false);
    expect(verify(secret, { ...headers(now), 'webhook-timestamp': 'soon' }, body, 300, now)).toBe(false);
  });

  it('refuses missing headers and throws for a malformed secret', () => {
    const { 'webhook-signature': _, ...unsigned } = headers(now);
    expect(verify(secret, unsigned, body, 300, now)).toBe(false);
    expect(() => sign('not-a-secret', id, now, body)).toThrow(TypeError);
    expect(() => sign('whsec_!!!', id, now, body)).toThrow(TypeError);
  });
});

describe('interoperability with the standardwebhooks reference library', () => {
  it('verifies our signature', () => {
    const event = new Webhook(secret).verify(body, headers(now));
    expect(event).toEqual(JSON.parse(body));
  });

  it('rejects our signature over a tampered body', () => {
    expect(() => new Webhook(secret).verify(`${body} `, headers(now))).toThrow();
  });

  it('signs what we verify', () => {
    const signature = new Webhook(secret).sign(id, new Date(now * 1000), body);
    const theirs = { 'webhook-id': id, 'webhook-timestamp': String(now), 'webhook-signature': signature };
    expect(signature).toBe(sign(secret, id, now, body));
    expect(verify(secret, theirs, body, 300, now)).toBe(true);
  });
});
