import { z } from 'zod';
import { canonicalInstant } from './instant';

/*
 * What we accept from each Data Warehouse resource. Only the fields the feeder uses are checked;
 * unknown fields are dropped (the vendor adds fields over time). A record failing its schema is
 * quarantined with the zod message as the reason, and the run goes on.
 */

const id = z.number().int().positive();
/** Integer foreign keys; category nodes document `pretty_url` as a String, so numeric text is accepted. */
const fk = z.union([id, z.string().regex(/^\d+$/, 'expected an integer id').transform(Number)]).nullable();
const timestamp = z.string().refine((s) => canonicalInstant(s) !== null, 'expected an ISO-8601 timestamp');
/** Decimals arrive as strings ("199.00"); numbers are tolerated. Output: a finite number. */
const decimal = z
  .union([z.string().regex(/^\s*-?\d+(\.\d+)?\s*$/, 'expected a decimal such as "199.00"'), z.number()])
  .transform(Number)
  .refine(Number.isFinite, 'expected a finite decimal');
const optionalText = z
  .string()
  .nullable()
  .optional()
  .transform((v) => v ?? null);
const dict = z.record(z.string(), z.unknown());
const optionalDict = dict
  .nullable()
  .optional()
  .transform((v) => v ?? {});

export const productSchema = z.object({
  id,
  product_type: z
    .union([z.string(), z.number().transform(String)])
    .nullable()
    .optional()
    .transform((v) => v ?? null),
  created_date: timestamp,
  modified_date: timestamp,
  attributes: optionalDict,
  attributes_kwargs: optionalDict,
  localized_attributes: z
    .record(z.string(), dict.nullable())
    .nullable()
    .optional()
    .transform((v) => v ?? {}),
  name: optionalText,
  base_code: optionalText,
  sku: optionalText,
  uuid: optionalText,
  is_active: z.boolean(),
  is_listable: z.boolean(),
  parent: fk.optional().transform((v) => v ?? null),
  attribute_set: fk.optional().transform((v) => v ?? null),
  pretty_url: fk.optional().transform((v) => v ?? null),
});

export const productPriceSchema = z.object({
  id,
  product: id,
  currency_type: z.string().min(1),
  price_type: z.string().min(1),
  created_date: timestamp.optional(),
  modified_date: timestamp,
  price: decimal,
  retail_price: decimal
    .nullable()
    .optional()
    .transform((v) => v ?? null),
  tax_rate: decimal
    .nullable()
    .optional()
    .transform((v) => v ?? null),
});

/** A sort position: a whole number, 0 when the source leaves it empty. */
const sortOrder = z
  .number()
  .int()
  .nullable()
  .optional()
  .transform((v) => v ?? 0);

/** An image dimension: a whole number of pixels, or null when the source does not know it. */
const pixels = z
  .number()
  .int()
  .nonnegative()
  .nullable()
  .optional()
  .transform((v) => v ?? null);

export const productImageSchema = z.object({
  id,
  product: id,
  status: z.string().min(1),
  created_date: timestamp.optional(),
  modified_date: timestamp,
  image: z.string().min(1),
  width: pixels,
  height: pixels,
  order: sortOrder,
});

export const categoryNodeSchema = z.object({
  id,
  created_date: timestamp.optional(),
  modified_date: timestamp,
  path: z
    .string()
    .min(1)
    .regex(/^[0-9A-Za-z]+$/, 'expected a materialized path of digits'),
  depth: z.number().int().nonnegative(),
  numchild: z
    .number()
    .int()
    .nonnegative()
    .nullable()
    .optional()
    .transform((v) => v ?? 0),
  order: sortOrder,
  name: z.string(),
  uuid: optionalText,
  attributes: optionalDict,
  pretty_url: fk.optional().transform((v) => v ?? null),
  /** The node's translations (`{"en-us": {"name": "Dresses"}}`): localized category names (search profile locales). */
  localized_attributes: z
    .record(z.string(), dict.nullable())
    .nullable()
    .optional()
    .transform((v) => v ?? {}),
});

export const prettyUrlSchema = z.object({
  id,
  created_date: timestamp.optional(),
  modified_date: timestamp,
  new_path: z.string().min(1),
  old_path: optionalText,
  language: optionalText,
  parent: fk.optional().transform((v) => v ?? null),
});

export const deletedItemSchema = z.object({
  id,
  object_id: z.union([z.string().regex(/^\d+$/, 'expected an integer object id'), z.number().int()]).transform(Number),
  deleted_date: timestamp,
  content_type: id,
});

export const contentTypeSchema = z.object({
  id,
  app_label: z.string(),
  model: z.string(),
});

/** A generic link row; field names are configurable, so it is validated by `linkRowSchema()`. */
export function linkRowSchema(productField: string, categoryField: string) {
  return z.object({ id, modified_date: timestamp, [productField]: id, [categoryField]: id }).transform((r) => ({
    id: r.id as number,
    modified_date: r.modified_date as string,
    product: r[productField] as number,
    category: r[categoryField] as number,
  }));
}

export type Product = z.output<typeof productSchema>;
export type ProductPrice = z.output<typeof productPriceSchema>;
export type ProductImage = z.output<typeof productImageSchema>;
export type CategoryNode = z.output<typeof categoryNodeSchema>;
export type PrettyUrl = z.output<typeof prettyUrlSchema>;
export type DeletedItem = z.output<typeof deletedItemSchema>;
export type ContentType = z.output<typeof contentTypeSchema>;
export type CategoryLink = { id: number; modified_date: string; product: number; category: number };

/** The first problem of a failed parse, as one line: `price: expected a decimal such as "199.00"`. */
export function describeIssue(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`)
    .join('; ');
}
