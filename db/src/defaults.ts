/** The columns every new project starts with (SPEC §3), left to right. */
export const DEFAULT_COLUMNS = [
  { name: 'To Do', category: 'todo' },
  { name: 'In Progress', category: 'in_progress' },
  { name: 'Review', category: 'in_progress' },
  { name: 'Done', category: 'done' },
] as const;
