import type { Scope } from './api-keys';
import type { AuditedAction } from './self-audit';

/**
 * What a route declares about access, next to its path and schema (src/routes/define-route.ts).
 * The guards read these from the route the router matched (c.var.route), never from the URL
 * text: the router matches the decoded path, so `%73earch` is `search` for them too.
 */
export interface RouteRules {
  /** The OpenAPI operationId: stable, so generated clients keep their method names. */
  operationId: string;
  /** The scope a key needs; 'any-key': a valid key, whatever its scopes; 'public': no key at all. */
  scope: Scope | 'any-key' | 'public';
  /** The self-audit event type written for every answered request, or null for none. */
  audit: AuditedAction | null;
  /**
   * Admin routes only: a key limited to companies may call it too (the handler checks the
   * companies it names). Every other admin action needs a key with every company: a limited key
   * could otherwise mint itself more companies or read other tenants' totals.
   */
  tenantAdmin?: boolean;
}

/** Requests the router matched to no route: deny by default (an unlimited admin key learns 404/405). */
export const UNMATCHED: RouteRules = { operationId: '(no route)', scope: 'admin', audit: null };
