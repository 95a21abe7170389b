'use strict';
/*
 * The Turkish fashion store's transform (TRANSFORM_MODULE=examples/turkish-fashion/transform.js).
 * `document` is the contract document (with `i18n` for the profile's locales); `rows` are the raw
 * source records joined into it. Return the document to index, or null to leave the product out.
 * Every field added here is declared in profile.json's "fields".
 */

/** Akinon's product type of bundles (the vendor's own example record "bundle test" is type "2"). */
const BUNDLE = '2';

function transform(document, rows) {
  // Bundles are sold through their parts: they are not listed in search.
  if (document.product_type === BUNDLE) return null;
  const attributes = rows.product.attributes || {};
  const kwargs = rows.product.attributes_kwargs || {};
  // The brand facet: the `brand` attribute, by its label when it is a dropdown (attributes hold the code).
  const label = kwargs.brand && typeof kwargs.brand.label === 'string' ? kwargs.brand.label : null;
  const brand = label || (typeof attributes.brand === 'string' && attributes.brand.trim() ? attributes.brand.trim() : null);
  // The English name, for storefronts that show it (it is searched through i18n.en-us.name).
  const english = (rows.product.localized_attributes || {})['en-us'];
  const nameEn = english && typeof english.name === 'string' ? english.name : null;
  return { ...document, brand, name_en: nameEn };
}

module.exports = { transform };
