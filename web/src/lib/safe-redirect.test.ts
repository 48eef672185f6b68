import { describe, expect, it } from 'vitest';
import { safeRedirectPath } from './safe-redirect.ts';

/** What `URLSearchParams` hands the app for `?next=<raw>`: the decoded value. */
const decoded = (raw: string) => new URLSearchParams(`next=${raw}`).get('next');

describe('issue 14 row 9: safeRedirectPath', () => {
  it.each([
    // The reported one: `/%09/evil.example`; browsers drop the tab and go to //evil.example.
    ['/\t/evil.example'],
    [decoded('/%09/evil.example')],
    [decoded('/%0a/evil.example')],
    [decoded('/%0d%0a/evil.example')],
    [decoded('/%0d%0aSet-Cookie:%20x=1')],
    [decoded('/%00/evil.example')],
    [decoded('/%7f/evil.example')],
    ['/\u001b/evil.example'],
    // Backslashes: `/\evil.example` is `//evil.example` to a browser.
    ['/\\evil.example'],
    ['\\\\evil.example'],
    ['/\\/evil.example'],
    // Protocol-relative and absolute URLs, schemes.
    ['//evil.example'],
    ['///evil.example'],
    ['//evil.example/login'],
    [decoded('%2F%2Fevil.example')],
    ['https://evil.example'],
    ['http:evil.example'],
    ['javascript:alert(1)'],
    ['JaVaScRiPt:alert(1)'],
    ['data:text/html,<script>alert(1)</script>'],
    ['evil.example'],
    ['projects'],
    // Paths that normalise to a protocol-relative URL.
    ['/..//evil.example'],
    ['/.//evil.example'],
    ['/x/../..//evil.example'],
    // Leading whitespace, which browsers strip.
    [' //evil.example'],
    ['\t//evil.example'],
    // Nothing at all.
    [''],
    [null],
    [undefined],
  ])('refuses %j', (target) => {
    expect(safeRedirectPath(target)).toBe('/');
  });

  it.each([
    ['/', '/'],
    ['/projects/7', '/projects/7'],
    ['/projects/7?view=table&page=2', '/projects/7?view=table&page=2'],
    ['/tickets/42#comments', '/tickets/42#comments'],
    ['/projects/7/../8', '/projects/8'],
    // Non-ASCII is percent-encoded, so the Location header is always sendable.
    ['/search?q=日本', '/search?q=%E6%97%A5%E6%9C%AC'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
  ])('keeps %j as %j', (target, expected) => {
    expect(safeRedirectPath(target)).toBe(expected);
  });

  it('never returns anything a browser would take off this site', () => {
    const sample = ['/', '//', '/\\', '\t', '\n', '.', '..', '%', 'a', ':', '@', '?', '#', '日'];
    for (const a of sample) {
      for (const b of sample) {
        for (const c of sample) {
          const result = safeRedirectPath(`${a}${b}${c}`);
          expect(new URL(result, 'https://laneway.example').origin).toBe('https://laneway.example');
          expect(result.startsWith('/') && !result.startsWith('//')).toBe(true);
          // eslint-disable-next-line no-control-regex -- the point of the check
          expect(result).not.toMatch(/[\u0000-\u001f\u007f\\]/);
        }
      }
    }
  });
});
