import type { z } from 'zod';
import { categoryNodeSchema, linkRowSchema, prettyUrlSchema, productImageSchema, productPriceSchema, productSchema } from './schemas';
import type { Config } from '../config/schema';

/** The resources read by modified_date window and id keyset; each has a table in the state store. */
export type ResourceName = 'pretty_urls' | 'category_nodes' | 'products' | 'product_prices' | 'product_images' | 'category_links';

export interface ResourceDef {
  name: ResourceName;
  /** Path under `data-warehouse/`. */
  path: string;
  schema: z.ZodType<{ id: number; modified_date: string }, unknown>;
}

/**
 * The resources this configuration reads, in the order a crawl visits them: what others point to
 * first (URLs, categories), then products, then what points to products.
 */
export function resourceDefs(config: Config): ResourceDef[] {
  const defs: ResourceDef[] = [
    { name: 'pretty_urls', path: 'pretty-urls', schema: prettyUrlSchema },
    { name: 'category_nodes', path: 'catalogs/category-nodes', schema: categoryNodeSchema },
    { name: 'products', path: 'products/products', schema: productSchema },
    { name: 'product_prices', path: 'catalogs/product-prices', schema: productPriceSchema },
    { name: 'product_images', path: 'products/product-images', schema: productImageSchema },
  ];
  if (config.CATEGORY_LINK === 'endpoint' && config.CATEGORY_LINK_PATH) {
    defs.push({
      name: 'category_links',
      path: config.CATEGORY_LINK_PATH,
      schema: linkRowSchema(config.CATEGORY_LINK_PRODUCT_FIELD, config.CATEGORY_LINK_CATEGORY_FIELD),
    });
  }
  return defs;
}

export const DELETED_ITEMS_PATH = 'deleted-items';
export const CONTENT_TYPES_PATH = 'content-types';
