/** Stage 3 for Connection specs: resolve the connector, check its options, and build the frozen connection. */
import type { AuthSpec, CompiledConnection } from './compiled-spec.js';
import type { CompileContext } from './compile-context.js';
import { parseDuration } from './duration.js';
import type { Connection } from './generated/spec-types.js';
import type { ValidatedSpec } from './parse-specs.js';
import { connectorSchemaValidator } from './schema-registry.js';
import { schemaDiagnostics } from './schema-diagnostics.js';
import { isSecretRef } from './secret-ref.js';
import { closestMatch } from './suggest.js';

const SECRET_KEY = /(secret|password|passwd|token|api_?key|private_?key)/i;

export function compileConnection(
  ctx: CompileContext,
  { spec, value }: ValidatedSpec<'Connection'>,
): CompiledConnection | undefined {
  const type = value.type;
  const connector = ctx.options.connectors.get(type);
  if (!connector) {
    const hint = closestMatch(type, [...ctx.options.connectors.keys()]);
    ctx.error(
      spec,
      ['type'],
      'unknown-connector',
      `unknown connector type ${JSON.stringify(type)}${hint ? `; did you mean \`${hint}\`?` : `; known: ${[...ctx.options.connectors.keys()].join(', ')}`}`,
    );
    return undefined;
  }
  const options = value.options ?? {};
  const validate = connectorSchemaValidator(connector.options);
  if (!validate(options)) {
    for (const d of schemaDiagnostics(spec, validate.errors ?? [], ['options']))
      ctx.diagnostics.push({ ...d, code: d.code === 'unknown-property' ? d.code : 'invalid-options' });
  }
  for (const [key, option] of Object.entries(options)) {
    if (SECRET_KEY.test(key) && typeof option === 'string' && !isSecretRef(option)) {
      ctx.error(
        spec,
        ['options', key],
        'secret-literal',
        `\`options.${key}\` looks like a secret written as a literal; use an environment reference like \${env:${key.toUpperCase()}}`,
      );
    }
  }
  if (value.allow_private_network !== undefined)
    ctx.errorAtKey(
      spec,
      [],
      'allow_private_network',
      'removed-property',
      '`allow_private_network` is no longer a spec setting: a spec must not be able to open the private network. ' +
        'Remove it, and start the engine with --allow-private-host <host:port> for this system (or ' +
        '--allow-private-network for all of them; JUNCTION_ALLOWED_PRIVATE_HOSTS, JUNCTION_ALLOW_PRIVATE_NETWORK=1)',
    );
  const rate = value.rate_limit;
  return {
    name: value.name,
    type,
    baseUrl: value.base_url,
    auth: toAuth(value.auth),
    rateLimit: rate
      ? {
          requestsPerSecond: rate.requests_per_second,
          burst: rate.burst ?? Math.max(1, Math.ceil(rate.requests_per_second)),
        }
      : undefined,
    ...(value.max_concurrency === undefined ? {} : { maxConcurrency: value.max_concurrency }),
    timeoutMs: parseDuration(value.timeout),
    commitWindowMs: parseDuration(value.commit_window),
    options,
    file: spec.file,
  };
}

function toAuth(auth: Connection['auth']): AuthSpec {
  switch (auth.type) {
    case 'bearer':
    case 'magento_token':
      return { type: auth.type, token: auth.token };
    case 'basic':
      return { type: 'basic', username: auth.username, password: auth.password };
    case 'oauth2_client_credentials':
      return {
        type: 'oauth2_client_credentials',
        tokenUrl: auth.token_url,
        clientId: auth.client_id,
        clientSecret: auth.client_secret,
        scope: auth.scope,
      };
    case 'magento_admin_token':
      return {
        type: 'magento_admin_token',
        username: auth.username,
        password: auth.password,
        tokenUrl: auth.token_url,
      };
    case 'oauth1':
      return {
        type: 'oauth1',
        consumerKey: auth.consumer_key,
        consumerSecret: auth.consumer_secret,
        accessToken: auth.access_token,
        accessTokenSecret: auth.access_token_secret,
        signatureMethod: auth.signature_method,
      };
    case 'oauth2_password':
      return {
        type: 'oauth2_password',
        tokenUrl: auth.token_url,
        clientId: auth.client_id,
        clientSecret: auth.client_secret,
        username: auth.username,
        password: auth.password,
        scope: auth.scope,
      };
    default:
      return { type: 'none' };
  }
}
