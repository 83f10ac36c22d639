import type { z } from 'zod';
import type { ValidationIssue } from './errors';

type Target = 'body' | 'query' | 'header' | 'path';

const TYPE_NAMES: Record<string, [msg: string, type: string]> = {
  string: ['Input should be a valid string', 'string_type'],
  number: ['Input should be a valid number', 'float_type'],
  int: ['Input should be a valid integer', 'int_type'],
  boolean: ['Input should be a valid boolean', 'bool_type'],
  object: ['Input should be a valid dictionary', 'dict_type'],
  record: ['Input should be a valid dictionary', 'dict_type'],
  array: ['Input should be a valid list', 'list_type'],
};

/**
 * zod 4 leaves the input out of its issues unless asked (reportInput), so "missing" is read from
 * its message ("..., received undefined"); otherwise every wrong type would read "Field required".
 */
const isMissing = (issue: z.core.$ZodIssueInvalidType) =>
  'input' in issue ? issue.input === undefined : /received undefined$/.test(issue.message);

/** Translates one zod issue into FastAPI/pydantic's wording, which existing clients display. */
function translate(issue: z.core.$ZodIssue): Omit<ValidationIssue, 'loc'> {
  switch (issue.code) {
    case 'invalid_type': {
      if (isMissing(issue)) return { msg: 'Field required', type: 'missing' };
      const [msg, type] = TYPE_NAMES[issue.expected] ?? [issue.message, 'type_error'];
      return { msg, type };
    }
    case 'too_big':
      if (issue.origin === 'string')
        return { msg: `String should have at most ${issue.maximum} characters`, type: 'string_too_long' };
      if (issue.origin === 'array') return { msg: `List should have at most ${issue.maximum} items`, type: 'too_long' };
      return { msg: `Input should be less than or equal to ${issue.maximum}`, type: 'less_than_equal' };
    case 'too_small':
      if (issue.origin === 'string') {
        const unit = Number(issue.minimum) === 1 ? 'character' : 'characters';
        return { msg: `String should have at least ${issue.minimum} ${unit}`, type: 'string_too_short' };
      }
      if (issue.origin === 'array')
        return { msg: `List should have at least ${issue.minimum} item`, type: 'too_short' };
      return { msg: `Input should be greater than or equal to ${issue.minimum}`, type: 'greater_than_equal' };
    case 'invalid_value':
      return {
        msg: `Input should be ${issue.values.map((v) => `'${String(v)}'`).join(' or ')}`,
        type: 'enum',
      };
    case 'unrecognized_keys':
      return { msg: 'Extra inputs are not permitted', type: 'extra_forbidden' };
    case 'invalid_format':
      return { msg: issue.message, type: `${issue.format}_parsing` };
    case 'not_multiple_of':
      return { msg: issue.message, type: 'multiple_of' };
    default:
      return { msg: issue.message, type: 'value_error' };
  }
}

/**
 * A query parameter sent twice arrives as a list and fails its schema with a message about
 * types; say what is actually wrong. `repeated` holds the names that came more than once.
 */
export function explainRepeatedParameters(issues: ValidationIssue[], repeated: ReadonlySet<string>): ValidationIssue[] {
  return issues.map((issue) =>
    issue.loc[0] === 'query' && issue.loc.length === 2 && repeated.has(String(issue.loc[1]))
      ? { ...issue, msg: 'Parameter given more than once; send it once', type: 'duplicate_parameter' }
      : issue,
  );
}

/** zod issues -> FastAPI's `detail` list, with `loc` starting at the request part. */
export function toValidationIssues(error: z.ZodError, target: Target): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push({ loc: [target, ...path, key], ...translate(issue) });
      continue;
    }
    issues.push({ loc: [target, ...path], ...translate(issue) });
  }
  return issues;
}
