import { defineErrors } from '../../../platform/errors/app-error.js';

/** Error codes of the personal folder (个人票夹) and employees (docs/assistant.md#personal-folder). */
export const { FOLDER_NOT_OWN, FOLDER_EMPLOYEE_NOT_FOUND, FOLDER_EMPLOYEE_CONFLICT, FOLDER_USER_NOT_FOUND } =
  defineErrors({
    FOLDER_NOT_OWN: {
      statusCode: 422,
      message: '只能转交自己票夹中的发票',
      description: 'A hand-over names invoices that are not in the caller’s folder (details.invoiceIds).',
    },
    FOLDER_EMPLOYEE_NOT_FOUND: {
      statusCode: 404,
      message: '员工不存在',
      description: 'No employee with that id in this tenant.',
    },
    FOLDER_EMPLOYEE_CONFLICT: {
      statusCode: 409,
      message: '该用户或外部编号已关联其他员工',
      description: 'The console user or external id is already linked to another employee of the tenant.',
    },
    FOLDER_USER_NOT_FOUND: {
      statusCode: 422,
      message: '控制台用户不存在或已停用',
      description: '`userId` names no active console user of the tenant.',
    },
  });
