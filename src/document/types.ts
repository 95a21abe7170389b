import type { CategoryNode, PrettyUrl, Product, ProductImage, ProductPrice } from '../source/schemas';

/** Settings the builder needs; a plain object so build/ stays free of config loading. */
export interface BuildOptions {
  priceType: string;
  currency?: string;
  pathStep: number;
}

/** The category tree as the builder sees it: every node, by id and by path, with its URLs. */
export interface CategoryTree {
  byId: ReadonlyMap<number, CategoryNode>;
  byPath: ReadonlyMap<string, CategoryNode>;
  /** Pretty URL rows by id (the ones category nodes point to, with their translations). */
  urls: ReadonlyMap<number, PrettyUrl>;
  /** Translations by the id of their default-language URL. */
  translations: ReadonlyMap<number, readonly PrettyUrl[]>;
}

/** Everything joined to one product, as read from the state store. */
export interface ProductInput {
  product: Product;
  prices: readonly ProductPrice[];
  images: readonly ProductImage[];
  /** The product's pretty URL row (null when absent or unknown) and the rows whose parent it is. */
  prettyUrl: PrettyUrl | null;
  urlTranslations: readonly PrettyUrl[];
  /** Node ids the product links to (attribute or link endpoint), unfiltered. */
  linkedCategoryIds: readonly number[];
  variants: readonly { product: Product; prices: readonly ProductPrice[] }[];
}

export interface PriceEntry {
  price_type: string;
  currency: string;
  price: number;
  retail_price: number | null;
  tax_rate: number | null;
}

export interface ProductDocument {
  id: string;
  product_id: number;
  name: string | null;
  sku: string | null;
  base_code: string | null;
  uuid: string | null;
  product_type: string | null;
  is_active: boolean;
  is_listable: boolean;
  parent_id: number | null;
  attribute_set_id: number | null;
  attributes: Record<string, unknown>;
  attribute_labels: Record<string, string | null>;
  localized: Record<string, { attributes: Record<string, unknown>; url: string | null }>;
  price: number | null;
  retail_price: number | null;
  tax_rate: number | null;
  currency: string | null;
  discount_percentage: number;
  prices: PriceEntry[];
  images: { id: number; url: string; width: number | null; height: number | null; order: number }[];
  image: string | null;
  url: string | null;
  urls: Record<string, string>;
  categories: { id: number; name: string; path: string; depth: number; url: string | null }[];
  category_ids: number[];
  category_names: string[];
  breadcrumbs: string[][];
  variants: { id: number; sku: string | null; name: string | null; is_active: boolean; attributes: Record<string, unknown>; price: number | null }[];
  created_date: string;
  modified_date: string;
}

export interface CategoryDocument {
  id: number;
  name: string;
  uuid: string | null;
  attributes: Record<string, unknown>;
  path: string;
  depth: number;
  parent_id: number | null;
  ancestors: { id: number; name: string }[];
  url: string | null;
  urls: Record<string, string>;
  order: number;
  numchild: number;
}
