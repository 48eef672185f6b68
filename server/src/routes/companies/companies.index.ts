import { createRouter } from '../create-router.ts';
import {
  createCompanyHandler,
  deleteCompanyHandler,
  getCompanyHandler,
  listCompaniesHandler,
  patchCompanyHandler,
  putCompanyHandler,
} from './companies.handlers.ts';
import {
  createCompany,
  deleteCompany,
  getCompany,
  listCompanies,
  patchCompany,
  putCompany,
} from './companies.routes.ts';

export const companiesRouter = createRouter()
  .openapi(listCompanies, listCompaniesHandler)
  .openapi(createCompany, createCompanyHandler)
  .openapi(getCompany, getCompanyHandler)
  .openapi(patchCompany, patchCompanyHandler)
  .openapi(putCompany, putCompanyHandler)
  .openapi(deleteCompany, deleteCompanyHandler);
