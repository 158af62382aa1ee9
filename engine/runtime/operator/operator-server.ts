/**
 * The operator listener: the dashboard, `/api/*` and `/metrics`, on its own port and bound to loopback by default.
 * Every request passes, in order: the Host allowlist (421), authentication (401, or the sign-in page for a
 * browser), cross-origin protection for state-changing requests (403), then the route, whose role check is 403.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveDashboard } from '../../dashboard/serve-dashboard.js';
import { badTarget, listen, requestUrl, sendJson } from '../ingest/http-server.js';
import type { HttpServerHandle, ListenOptions } from '../ingest/http-server.js';
import { operatorRoute } from './operator-routes.js';
import type { OperatorApi } from './operator-routes.js';
import type { ResolvedOperatorOptions } from './operator-options.js';
import type { Principal } from './principal.js';
import { SECURITY_HEADERS, crossOriginRefusal, hostRefusal } from './request-guards.js';

/** How the listener learns who a request is from. */
export interface Authenticator {
  /** The caller, or undefined when the request carries no valid credentials. */
  identify(req: IncomingMessage): Promise<Principal | undefined>;
  /** Routes of its own that need no sign-in (the sign-in page, the OIDC callback); true when it answered. */
  route?(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** Where a browser without a session is sent; undefined answers 401. */
  signInPath?: string;
  /** Writes what it still holds (the sign-in throttle's summaries) when the listener closes. */
  close?(): Promise<void>;
}

export function startOperatorServer(
  api: OperatorApi,
  auth: Authenticator,
  options: ResolvedOperatorOptions & Pick<ListenOptions, 'keepAliveMs' | 'onError'>,
): Promise<HttpServerHandle> {
  const refuse = (res: ServerResponse, status: number, error: string, message: string) =>
    sendJson(res, status, { error, message }, SECURITY_HEADERS);
  const server = listen(async (req, res) => {
    const url = requestUrl(req);
    if (!url) return badTarget(res, SECURITY_HEADERS);
    const badHost = hostRefusal(req, options.allowedHosts);
    if (badHost) return refuse(res, badHost.status, badHost.error, badHost.message);
    if (auth.route && (await auth.route(req, res, url))) return;
    // The stylesheet holds no data, and the sign-in page uses it.
    if (url.pathname === '/dashboard.css' && serveDashboard(req, res)) return;
    const who = await auth.identify(req);
    if (!who) {
      if (auth.signInPath && req.method === 'GET' && !url.pathname.startsWith('/api/') && url.pathname !== '/metrics') {
        res.writeHead(303, {
          ...SECURITY_HEADERS,
          location: `${auth.signInPath}?next=${encodeURIComponent(url.pathname)}`,
        });
        return void res.end();
      }
      return refuse(res, 401, 'unauthenticated', 'sign in, or send an API token as "Authorization: Bearer <token>"');
    }
    if (who.via !== 'bearer') {
      const forged = crossOriginRefusal(req, options.allowedOrigins);
      if (forged) return refuse(res, forged.status, forged.error, forged.message);
    }
    if (serveDashboard(req, res)) return;
    if (await operatorRoute(api, who, req, res, url)) return;
    refuse(res, 404, 'no-route', `no route ${req.method} ${url.pathname}`);
  }, options);
  return server.then(
    (handle) => ({
      ...handle,
      close: async () => {
        await handle.close();
        await auth.close?.();
      },
    }),
    async (error: unknown) => {
      await auth.close?.();
      throw error;
    },
  );
}
