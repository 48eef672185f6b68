/** Where every API route is mounted (the old Django router's prefix). */
export const API_PREFIX = '/api/tickets';
