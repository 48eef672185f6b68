// @vitest-environment jsdom
// DOMPurify needs a DOM; jsdom is the one its documentation names for Node.
import { describe, expect, it } from 'vitest';
import { mentionsIn, renderMarkdown } from './markdown.ts';

/** The rendered HTML parsed back into a DOM, to check what an attacker's text became. */
function render(source: string): HTMLElement {
  const html = renderMarkdown(source);
  expect(html).not.toBeNull();
  const root = document.createElement('div');
  root.innerHTML = html!;
  return root;
}

describe('renderMarkdown', () => {
  it('renders Markdown: emphasis, lists, code, links, tables', () => {
    const root = render('**bold** _it_ `code`\n\n- one\n- two\n\n[site](https://example.com)\n\n| a |\n|---|\n| 1 |');
    expect(root.querySelector('strong')?.textContent).toBe('bold');
    expect(root.querySelector('em')?.textContent).toBe('it');
    expect(root.querySelector('code')?.textContent).toBe('code');
    expect(root.querySelectorAll('li')).toHaveLength(2);
    expect(root.querySelector('td')?.textContent).toBe('1');
    const link = root.querySelector('a')!;
    expect(link.getAttribute('href')).toBe('https://example.com');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    expect(link.getAttribute('target')).toBe('_blank');
  });

  it('strips <script> and its content', () => {
    const html = renderMarkdown('hello <script>alert(1)</script>\n\n<script src="/x.js"></script>')!;
    expect(html).not.toMatch(/script/i);
    expect(html).not.toContain('alert');
    expect(html).toContain('hello');
  });

  it('strips event handlers such as onerror and onclick', () => {
    const root = render('<img src=x onerror="alert(1)">\n\n<a href="https://example.com" onclick="alert(2)">x</a>');
    const img = root.querySelector('img');
    expect(img).not.toBeNull();
    expect(img!.hasAttribute('onerror')).toBe(false);
    expect(root.querySelector('a')!.hasAttribute('onclick')).toBe(false);
    expect(root.innerHTML).not.toMatch(/on(error|click)/i);
  });

  it('drops javascript: and data:text/html URLs in Markdown links and raw HTML', () => {
    const root = render(
      '[x](javascript:alert(1)) [y](JaVaScRiPt:alert(2)) <a href=" javascript:alert(3)">z</a> [w](data:text/html,<b>)',
    );
    for (const anchor of root.querySelectorAll('a')) {
      expect(anchor.getAttribute('href') ?? '').not.toMatch(/^\s*(javascript|data):/i);
    }
    expect(root.innerHTML).not.toMatch(/javascript:/i);
  });

  it('drops forms, iframes, inline styles and foreign classes', () => {
    const root = render(
      '<form action="/x"><input name=a></form><iframe src="https://evil"></iframe><p style="color:red" class="offline">t</p>',
    );
    expect(root.querySelector('form, input, iframe')).toBeNull();
    const p = root.querySelector('p')!;
    expect(p.hasAttribute('style')).toBe(false);
    expect(p.hasAttribute('class')).toBe(false);
  });

  it('marks @mentions, but not e-mail addresses', () => {
    const root = render('ping @ada.l, and mail bob@example.com');
    const mentions = [...root.querySelectorAll('span.mention')].map((m) => m.textContent);
    expect(mentions).toEqual(['@ada.l']);
  });
});

describe('mentionsIn', () => {
  it('lists each mentioned username once, without trailing punctuation', () => {
    expect(mentionsIn('@ada and @bob. @ada again, not x@y.z')).toEqual(['ada', 'bob']);
  });
});
