/**
 * One guard for every request body and query string, run before schema validation: structural limits
 * (depth, node count, key length) so no later recursive walk can overflow the stack, text ClickHouse can
 * store (no lone surrogates), and numbers that every column and parameter type can hold. Each refusal is a
 * 400 naming the field. List bodies (arrays of events or contacts) are checked here only for structure:
 * their items are judged one by one by their services, so one bad item is refused alone.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors } from '../common/errors.ts';

export const INPUT_LIMITS = {
  /** Deeper than any schema of this API (a rule nests at most 12 combinators). */
  maxDepth: 32,
  /** Values (objects, arrays, scalars) in one body. */
  maxNodes: 250_000,
  maxKeyLength: 256,
  /** Largest magnitude of a number: beyond it integers lose exactness and no column here holds it. */
  maxNumber: Number.MAX_SAFE_INTEGER,
} as const;

export interface InputProblem {
  field: string;
  message: string;
}

const childPath = (path: string, key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : `${path}.${key}`);

/**
 * The first problem of `value`, walked without recursion. `itemsJudgedAlone`: a top-level array whose
 * items are validated one at a time later (only structure is checked here).
 */
export function inspectInput(value: unknown, root: string, itemsJudgedAlone = false): InputProblem | undefined {
  const stack: [unknown, string, number][] = [[value, root, 0]];
  let nodes = 0;
  const contentChecked = (depth: number) => !(itemsJudgedAlone && depth > 0);
  while (stack.length) {
    const [node, path, depth] = stack.pop()!;
    if (++nodes > INPUT_LIMITS.maxNodes) return { field: root, message: `${root}: has more than ${INPUT_LIMITS.maxNodes} values` };
    if (depth > INPUT_LIMITS.maxDepth) return { field: path, message: `${path}: nests deeper than ${INPUT_LIMITS.maxDepth} levels` };
    if (typeof node === 'string') {
      if (contentChecked(depth) && !node.isWellFormed()) return { field: path, message: `${path}: is not valid Unicode text (lone surrogate)` };
    } else if (typeof node === 'number') {
      if (contentChecked(depth) && !(Math.abs(node) <= INPUT_LIMITS.maxNumber)) {
        return { field: path, message: `${path}: must be a finite number between -${INPUT_LIMITS.maxNumber} and ${INPUT_LIMITS.maxNumber}` };
      }
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push([node[i], childPath(path, i), depth + 1]);
    } else if (node !== null && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        if (key.length > INPUT_LIMITS.maxKeyLength) return { field: path, message: `${path}: has a key longer than ${INPUT_LIMITS.maxKeyLength} characters` };
        if (contentChecked(depth) && !key.isWellFormed()) return { field: path, message: `${path}: has a key that is not valid Unicode text (lone surrogate)` };
        stack.push([(node as Record<string, unknown>)[key], childPath(path, key), depth + 1]);
      }
    }
  }
  return undefined;
}

/** A readable stream (a file upload) is passed through: its route reads and limits it itself. */
const isStream = (value: unknown): boolean => typeof (value as { pipe?: unknown } | null)?.pipe === 'function';

/**
 * The first problem of a request's body, query string and path params. List bodies are checked for
 * structure only, and not at all after coercion (they are not coerced: their items are judged alone).
 */
function requestProblem(request: FastifyRequest, afterCoercion: boolean): InputProblem | undefined {
  const body = request.body;
  const list = Array.isArray(body);
  const bodyProblem = body === undefined || isStream(body) || (list && afterCoercion) ? undefined : inspectInput(body, 'body', list);
  return bodyProblem ?? inspectInput(request.query, 'querystring') ?? inspectInput(request.params, 'params');
}

export function installInputGuard(app: FastifyInstance): void {
  const guard = (afterCoercion: boolean) => async (request: FastifyRequest) => {
    const problem = requestProblem(request, afterCoercion);
    if (problem) throw errors.validation(problem.message, problem.field);
  };
  app.addHook('preValidation', guard(false));
  // Schema coercion turns text into numbers ("1e400" into Infinity for an integer field): check again after it.
  app.addHook('preHandler', guard(true));
}
