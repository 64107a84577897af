import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** One strict ajv instance for the package: all errors, draft-07, formats (uuid, date-time, email, uri). */
export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  return ajv;
}

let shared: Ajv | undefined;
const cache = new Map<string, ValidateFunction>();

/** Compiles a schema once per key and returns the cached validator afterwards. */
export function cachedValidator(key: string, schema: () => object): ValidateFunction {
  let validate = cache.get(key);
  if (validate === undefined) {
    shared ??= createAjv();
    validate = shared.compile(schema());
    cache.set(key, validate);
  }
  return validate;
}
