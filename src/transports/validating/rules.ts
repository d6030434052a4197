import { lazySchema } from '../../core/util/lazy-schema.js';
import { text } from '../../core/util/plain-checks.js';

export const RULE_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'any'] as const;

const RULE = new RegExp(`^(${RULE_TYPES.join('|')})\\??$`);

/** The plain check of ruleType. */
export const plainRuleType = text(0, RULE);

export const ruleType = lazySchema(
  (z) => z.string().regex(RULE, { error: `expected one of ${RULE_TYPES.join(', ')} (add "?" for optional)` }),
  plainRuleType,
);

/**
 * `"rules": { "userId": "number", "tags": "array?" }` → a JSON Schema: those keys of those
 * types, required unless marked "?", other keys allowed. `any` means present, of any type.
 */
export function rulesToSchema(rules: Record<string, string>): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [key, rule] of Object.entries(rules)) {
    const optional = rule.endsWith('?');
    const type = optional ? rule.slice(0, -1) : rule;
    properties[key] = type === 'any' ? true : { type };
    if (!optional) required.push(key);
  }
  return { type: 'object', properties, required };
}
