// @vitest-environment jsdom
// DOMPurify needs a DOM; jsdom is the one its documentation names for Node.
import { describe, expect, it } from 'vitest';
import { mentionsIn, renderMarkdown, renderMarkdownWith, type TicketLink } from './markdown.ts';

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

describe('ticket keys', () => {
  const visible: Record<string, TicketLink> = {
    'OPS-1': { href: '/tickets/7', title: 'Printer <b>jams</b>' },
    'SD-44': { href: '/portal/tickets/9', title: 'VPN' },
  };
  const link = (key: string) => visible[key] ?? null;

  function linked(source: string) {
    const rendered = renderMarkdownWith(source, { link })!;
    const root = document.createElement('div');
    root.innerHTML = rendered.html;
    return { root, keys: rendered.keys };
  }

  it('links keys the reader may see, with the title as text, and leaves the others plain', () => {
    const { root, keys } = linked('See OPS-1, SD-44 and HR-3 (ops-1 is not a key). **OPS-1**!');
    expect(keys).toEqual(['OPS-1', 'SD-44', 'HR-3']);
    const anchors = [...root.querySelectorAll('a.ticket-key')];
    expect(anchors.map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['OPS-1', '/tickets/7'],
      ['SD-44', '/portal/tickets/9'],
      ['OPS-1', '/tickets/7'],
    ]);
    // The title is an attribute value, never markup; internal links open in place.
    expect(anchors[0]!.getAttribute('title')).toBe('Printer <b>jams</b>');
    expect(root.querySelector('b')).toBeNull();
    expect(anchors[0]!.hasAttribute('target')).toBe(false);
    expect(root.textContent).toContain('HR-3');
    expect(root.querySelectorAll('a')).toHaveLength(3);
  });

  it('never links inside code, code blocks or existing links, nor inside words and paths', () => {
    const { root, keys } = linked(
      '`OPS-1`\n\n```\nOPS-1\n```\n\n[OPS-1 here](https://example.com/x) <https://example.com/OPS-1> ' +
        'xOPS-1 /OPS-1 OPS-1x OPS-1-2 OPS-01 a@OPS-1',
    );
    expect(keys).toEqual([]);
    expect(root.querySelectorAll('a.ticket-key')).toHaveLength(0);
    expect(root.querySelector('code')!.textContent).toBe('OPS-1');
  });

  it('answers the keys even before they are known, and shows them as text meanwhile', () => {
    const rendered = renderMarkdownWith('Blocked by OPS-1 and SD-44.')!;
    expect(rendered.keys).toEqual(['OPS-1', 'SD-44']);
    expect(rendered.html).not.toContain('<a');
  });

  it('keeps an author-written anchor with a ticket-key class from getting the class', () => {
    const { root } = linked('<a class="ticket-key" href="/tickets/666">OPS-1</a>');
    expect(root.querySelector('a')!.hasAttribute('class')).toBe(false);
    expect(root.querySelector('a')!.getAttribute('href')).toBe('/tickets/666');
  });
});
