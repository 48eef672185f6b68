import { query } from './query.ts';
import type { Call } from './request.ts';
import type { NewTag, Page, Tag, TagPatch } from './types.ts';

/** A project's tags (`/tags/…`). */
export function tagCalls(call: Call) {
  return {
    tags: (project: number) => call<Page<Tag>>('GET', `/tags/${query({ project, page_size: 200 })}`),
    createTag: (project: number, fields: Omit<NewTag, 'project'>) =>
      call<Tag>('POST', '/tags/', { project, ...fields }),
    patchTag: (id: number, fields: TagPatch) => call<Tag>('PATCH', `/tags/${id}/`, fields),
    deleteTag: (id: number) => call<void>('DELETE', `/tags/${id}/`),
  };
}
