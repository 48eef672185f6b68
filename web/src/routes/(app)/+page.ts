import { createApi } from '#lib/api/client.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => ({ projects: (await createApi(fetch).projects()).results });
