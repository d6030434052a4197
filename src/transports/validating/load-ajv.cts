/*
 * Ajv is loaded on first use, synchronously, so a logger without a JSON Schema never pays
 * for it. This file is CommonJS in both builds (.cts → .cjs): `require` resolves from here
 * in the ESM build too, where `import.meta` would be needed otherwise and the CommonJS
 * build could not compile it.
 */
import type AjvCore from 'ajv/dist/core';
import type { FormatsPlugin } from 'ajv-formats';

export type Draft = '2020-12' | '2019-09' | 'draft-07';
export type AjvInstance = AjvCore;
export type { ErrorObject, ValidateFunction } from 'ajv/dist/core';
export type AjvUriResolver = NonNullable<ConstructorParameters<typeof AjvCore>[0]>['uriResolver'] & object;

interface AjvModules {
  classes: Record<Draft, new (options: object) => AjvCore>;
  addFormats: FormatsPlugin;
  /** The URI code Ajv uses by default (fast-uri). */
  uriResolver: AjvUriResolver;
}

let loaded: AjvModules | undefined;

export function loadAjv(): AjvModules {
  loaded ??= {
    classes: {
      '2020-12': require('ajv/dist/2020').default,
      '2019-09': require('ajv/dist/2019').default,
      'draft-07': require('ajv').default,
    },
    addFormats: require('ajv-formats').default,
    uriResolver: require('ajv/dist/runtime/uri').default,
  };
  return loaded;
}
