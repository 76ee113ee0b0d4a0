// The `params` of a dry run (POST /payments/gas-estimate) are the body the operation's own route takes,
// so they are checked against that route's request schema in openapi.json, as the route's own body
// would be: a definition never sees a shape its route would have refused. An operation whose route
// takes an id in its path names it under its definition's `pathId` (an escrow move's `escrowId`, a
// revocation's `certificateId`); without one, a definition may name the operation that takes it so
// (an escrow funding: a new payment intent).
import { Ajv, type ValidateFunction } from 'ajv';
import { apiErrors } from '../app-error.js';
import { loadOpenApiDocument } from './openapi.js';

const DOCUMENT_ID = 'chronos-openapi';
let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

/** JSON pointer to the JSON request schema of `operationId`, and whether its path names an escrow. */
function requestSchemaOf(operationId: string): { pointer: string; hasPathId: boolean } {
  const doc = loadOpenApiDocument();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (operation.operationId !== operationId) continue;
      const segment = (s: string) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'));
      return { pointer: `#/paths/${segment(path)}/${method}/requestBody/content/${segment('application/json')}/schema`, hasPathId: path.includes('{id}') };
    }
  }
  throw new Error(`operation ${operationId} is not in openapi.json`);
}

function validatorOf(pointer: string): ValidateFunction {
  if (!ajv) {
    // OpenAPI 3.0 schemas carry keywords JSON Schema does not know (example, nullable): not strict.
    ajv = new Ajv({ strict: false, allErrors: false });
    ajv.addSchema({ ...loadOpenApiDocument(), $id: DOCUMENT_ID });
  }
  let validate = validators.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `${DOCUMENT_ID}${pointer}` });
    validators.set(pointer, validate);
  }
  return validate;
}

/** The input the operation's route would hand its definition, or a 400 naming the first problem. */
export function operationInputOf(
  operationId: string,
  params: Record<string, unknown>,
  { pathId = 'escrowId', withoutPathId }: { pathId?: string; withoutPathId?: string } = {},
): unknown {
  const { [pathId]: id, ...body } = params;
  let schema = requestSchemaOf(operationId);
  if (!schema.hasPathId || id === undefined) {
    if (schema.hasPathId && withoutPathId) schema = requestSchemaOf(withoutPathId);
    else if (schema.hasPathId) throw apiErrors.validation(`params.${pathId} is required for this operation`);
  }
  const checked = schema.hasPathId ? body : params;
  if (schema.hasPathId && typeof id !== 'string') throw apiErrors.validation(`params.${pathId} must be a string`);
  const validate = validatorOf(schema.pointer);
  if (!validate(checked)) {
    const [first] = validate.errors ?? [];
    const where = `params${first?.instancePath.replace(/\//g, '.') ?? ''}`;
    throw apiErrors.validation(`${where} ${first?.message ?? 'is invalid'}`);
  }
  return schema.hasPathId ? { ...body, [pathId]: id } : params;
}
