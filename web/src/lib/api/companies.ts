import { query } from './query.ts';
import type { Call } from './request.ts';
import type { Company, CompanyPatch, NewCompany, Page } from './types.ts';

/** Client companies (`/companies/…`): staff see all, company people their own. */
export function companyCalls(call: Call) {
  return {
    /** The companies the caller may see, by name (those matching `search`, when given). */
    companies: (search = '') =>
      call<Page<Company>>('GET', `/companies/${query({ search, page_size: 200, ordering: 'name' })}`),
    createCompany: (fields: NewCompany) => call<Company>('POST', '/companies/', fields),
    patchCompany: (id: number, fields: CompanyPatch) => call<Company>('PATCH', `/companies/${id}/`, fields),
    deleteCompany: (id: number) => call<void>('DELETE', `/companies/${id}/`),
  };
}
