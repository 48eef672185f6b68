import { describe, expect, it } from 'vitest';
import { editScope, mayEditTicket } from './ticket-rules.ts';

describe('ticket rules (issue 13 row 5)', () => {
  it('scopes by role as the server does: superusers and admins all, users their own, managers none', () => {
    expect(editScope({ is_superuser: true }, null)).toBe('all');
    expect(editScope({ is_superuser: false }, 'superadmin')).toBe('all');
    expect(editScope({ is_superuser: false }, 'admin')).toBe('all');
    expect(editScope({ is_superuser: false }, 'user')).toBe('own');
    expect(editScope({ is_superuser: false }, 'manager')).toBe('none');
    expect(editScope({ is_superuser: false }, null)).toBe('none');
    expect(editScope(null, 'admin')).toBe('none');
  });

  it('own: the reporter and the assignees only', () => {
    const ticket = { reporter: 1, assignees: [2, 3] };
    expect(mayEditTicket('own', 1, ticket)).toBe(true);
    expect(mayEditTicket('own', 3, ticket)).toBe(true);
    expect(mayEditTicket('own', 4, ticket)).toBe(false);
    expect(mayEditTicket('own', undefined, ticket)).toBe(false);
    expect(mayEditTicket('all', 4, ticket)).toBe(true);
    expect(mayEditTicket('none', 1, ticket)).toBe(false);
  });
});
