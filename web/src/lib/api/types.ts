/**
 * The REST resources the web app reads, as the server serialises them (SPEC §5: snake_case, a
 * foreign key named without `_id`, many-to-many fields as id lists).
 */

export type ProjectRole = 'superadmin' | 'admin' | 'manager' | 'user';
export type Category = 'todo' | 'in_progress' | 'done';

export interface User {
  id: number;
  username: string;
  email: string;
  name: string;
  is_superuser: boolean;
  is_active: boolean;
  avatar_color: string;
  created_at: string;
  last_login_at: string | null;
}

/** `GET /auth/me/`: the caller with their project memberships and company roles. */
export interface Me extends User {
  memberships: { project: number; role: ProjectRole }[];
  companies: { company: number; role: 'admin' | 'user' }[];
}

export interface Project {
  id: number;
  name: string;
  key: string;
  description: string;
  companies: number[];
  created_by: number | null;
  created_at: string;
  role: ProjectRole | null;
}

export interface Column {
  id: number;
  project: number;
  name: string;
  category: Category;
  wip_limit: number | null;
  position: string;
}

export interface Ticket {
  id: number;
  project: number;
  number: number;
  key: string;
  title: string;
  description: string;
  column: number;
  /** Fractional-index key: cards in a column are ordered by it (byte order). */
  position: string;
  priority_id: number;
  company: number | null;
  contact: number | null;
  reporter: number | null;
  assignees: number[];
  tags: number[];
  due_at: string | null;
  status: Category;
  done_at: string | null;
  is_archived: boolean;
  archived_at: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface Tag {
  id: number;
  project: number;
  name: string;
  colour: string;
}

/** `GET /priorities/`: the fixed priorities, 1 Low to 4 Urgent. */
export interface Priority {
  id: number;
  name: string;
  colour: string;
}

export interface Member {
  user: { id: number; username: string; name: string };
  role: ProjectRole;
}

/** `GET /projects/{id}/board/`: `seq` is the project topic's seq the board was read at. */
export interface Board {
  project: number;
  seq: number;
  columns: (Column & { tickets: Ticket[] })[];
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** The body of `POST /tickets/{id}/move/`: `after` is the card just above, `before` the one just below. */
export interface MoveBody {
  column: number;
  after?: number;
  before?: number;
  version?: number;
}
