import type { AjvUriResolver } from './load-ajv.cjs';

/**
 * Stack frames a URI operation of Ajv's compile must find free. Ajv recurses without end on
 * some schemas' `$ref`s (a relative `$ref` beside `$id` in an embedded resource) until the
 * stack runs out, and where it runs out is chance: unguarded, inside a regular expression of
 * the URI code (String.replace, String.match), a native place where V8 may end the process
 * rather than throw (the likeliest cause of a CI run's test worker that exited during the
 * third of these compiles). Each level of that recursion makes a URI call, so a check before
 * each one meets the overflow here, in plain JavaScript calls, thrown as the same RangeError.
 * About a tenth of the stack; a schema's own nesting never comes near it.
 */
const FREE_FRAMES = 1_000;

/** Recurses `depth` times: throws V8's RangeError when that much stack is not free. */
function reach(depth: number): number {
  return depth === 0 ? 0 : reach(depth - 1) + 1;
}

/** Ajv's URI resolver, each call made only with the stack room above to spare. */
export function stackGuarded(resolver: AjvUriResolver): AjvUriResolver {
  return {
    parse: (uri) => {
      reach(FREE_FRAMES);
      return resolver.parse(uri);
    },
    resolve: (base, path) => {
      reach(FREE_FRAMES);
      return resolver.resolve(base, path);
    },
    serialize: (component) => {
      reach(FREE_FRAMES);
      return resolver.serialize(component);
    },
  };
}
