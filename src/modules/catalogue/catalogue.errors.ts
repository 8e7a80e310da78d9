import { defineErrors } from '../../platform/errors/app-error.js';

export const { CATALOGUE_ITEM_NOT_FOUND, CATALOGUE_ITEM_INVALID, CATALOGUE_ITEM_EXISTS, CATALOGUE_IMPORT_INVALID } =
  defineErrors({
    CATALOGUE_ITEM_NOT_FOUND: {
      statusCode: 404,
      message: '商品不存在',
      description: 'No catalogue item with that id in this tenant.',
    },
    CATALOGUE_ITEM_INVALID: {
      statusCode: 422,
      message: '商品信息不符合开票规则',
      description:
        'The item breaks a tax rule: unknown or summary tax code, a rate not allowed for the code, a bad unit price. `details.errors` lists each field with its reason.',
    },
    CATALOGUE_ITEM_EXISTS: {
      statusCode: 409,
      message: '同名同规格的商品已存在',
      description: 'The seller org already has an item with the same name and 规格型号.',
    },
    CATALOGUE_IMPORT_INVALID: {
      statusCode: 422,
      message: '导入文件有错误，未导入任何商品',
      description:
        'The CSV import is all-or-nothing: at least one row is invalid, nothing was imported. `details.rows` lists every invalid row (its line number and field errors).',
    },
  });
