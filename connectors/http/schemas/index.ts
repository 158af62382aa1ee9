/**
 * The generic connector knows no vendor entities: a record is any JSON object, and the step's `object` param names
 * it for ownership. These are the schemas of its step params.
 */
import type { JsonSchema } from '../../../engine/sdk/index.js';

const pathParam: JsonSchema = {
  type: 'string',
  pattern: '^/',
  description: 'Path template relative to base_url; each {field} is taken from the record (URL-encoded).',
  examples: ['/orders/{id}/status'],
};
const objectParam: JsonSchema = { type: 'string', default: 'resource', description: 'Record type, for `owns`.' };
const idParam: JsonSchema = {
  type: 'string',
  description: 'Field that identifies the record (always passes the ownership filter).',
};

/** Params of the method-named operations (`get`, `post`, `put`, `patch`, `delete`). */
export const methodParams: JsonSchema = {
  type: 'object',
  required: ['path'],
  additionalProperties: false,
  properties: { path: pathParam, object: objectParam, id_field: idParam },
};

/** Params of `request`, which takes the method as a param. */
export const requestParams: JsonSchema = {
  type: 'object',
  required: ['method', 'path'],
  additionalProperties: false,
  properties: {
    method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], description: 'HTTP method.' },
    path: pathParam,
    object: objectParam,
    id_field: idParam,
  },
};

/** A record: any JSON object. */
export const recordSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'record',
  type: 'object',
  description: 'The JSON body sent (GET and DELETE send none; the record still fills the path).',
};
