/** 商品档案 (product catalogue): per seller org items with their tax code, rate and default price; CSV import/export. */
export type { CatalogueItem, CatalogueTables } from './catalogue.tables.js';
export { catalogueRoutes } from './routes/catalogue.routes.js';
