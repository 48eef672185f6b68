import { describe, expect, it } from 'vitest';
import { fillReply, matchReplies } from './canned-replies.ts';

describe('fillReply', () => {
  it('fills the known placeholders and leaves the rest as written', () => {
    const body =
      'Hi {{contact.name}}, {{ agent.name }} here about {{ticket.key}} ({{ticket.title}}). {{unknown.thing}} {{contact.name}}';
    expect(
      fillReply(body, { 'contact.name': 'Ada', 'agent.name': 'Grace', 'ticket.key': 'OPS-7', 'ticket.title': '' }),
    ).toBe('Hi Ada, Grace here about OPS-7 ({{ticket.title}}). {{unknown.thing}} Ada');
  });
  it('does not interpret a value as a pattern ($& in a name)', () => {
    expect(fillReply('Hi {{contact.name}}', { 'contact.name': 'A$&B' })).toBe('Hi A$&B');
  });
});

describe('matchReplies', () => {
  it('puts names starting with the text first, then names containing it', () => {
    const replies = [{ name: 'Apology' }, { name: 'Thanks' }, { name: 'Password reset' }, { name: 'Reset done' }];
    expect(matchReplies(replies, 'res').map((r) => r.name)).toEqual(['Reset done', 'Password reset']);
    expect(matchReplies(replies, '')).toHaveLength(4);
  });
});
