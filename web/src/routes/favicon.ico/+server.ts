import { redirect } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/**
 * Browsers ask for /favicon.ico on pages that name no icon (the API docs, a JSON answer opened in
 * a tab) and some tools on every page: send them to the SVG icon instead of a 404 (issue 13 row 10).
 */
export const GET: RequestHandler = () => redirect(301, '/favicon.svg');
