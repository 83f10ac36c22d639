import type { z } from 'zod';
import type { ValidationIssue } from './errors';

type Target = 'body' | 'query' | 'header' | 'path';

const TYPE_NAMES: Record<string, [msg: string, type: string]> = {
  string: ['Input should be a valid string', 'string_type'],
  number: ['Input should be a valid number', 'float_type'],
  int: ['Input should be a valid integer', 'int_type'],
  boolean: ['Input should be a valid boolean', 'bool_type'],
  object: ['Input should be a valid dictionary', 'dict_type'],
  array: ['Input should be a valid list', 'list_type'],
};

/** Translates one zod issue into FastAPI/pydantic's wording, which existing clients display. */
function translate(issue: z.core.$ZodIssue): Omit<ValidationIssue, 'loc'> {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return { msg: 'Field required', type: 'missing' };
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
