import type { DatabaseHandle, OpenOptions } from './db/client';
import type { Config } from './env';
import type { DeferredWork } from './lib/after-response';
import type { Principal } from './lib/auth';
import type { Logger } from './lib/logger';
import type { RouteRules } from './lib/route-rules';

/** Hono's environment for this app: the Worker bindings and what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    config: Config;
    requestId: string;
    logger: Logger;
    /** Opens the request's database connection on first use; closed after the response. */
    database: () => DatabaseHandle;
    /** Hands the connection to a streaming body, which then closes it itself (options: if not open yet). */
    takeDatabase: (options?: OpenOptions) => DatabaseHandle;
    principal: Principal;
    /** What the matched route declares (scope, audit action); set by its own middleware. */
    route: RouteRules;
    /** Database work queued for after the response (src/lib/after-response.ts); null once run. */
    deferredWork: DeferredWork[] | null;
    /** Query parameters and body fields this request sent that were ignored (src/lib/ignored-parameters.ts). */
    ignoredParameters: string[];
  };
}
