/**
 * The environment of every git process the engine starts: only what git needs. The engine's own environment holds
 * every connector's secrets (`MAGENTO_TOKEN`, `FF_CLIENT_SECRET`, …), and git passes its environment on to what it
 * runs (ssh, credential helpers, hooks, remote helpers), none of which needs them.
 *
 * Passed: the process basics (`PATH`, `HOME` for `~/.gitconfig` and `~/.ssh`, user, locale, time zone, temp dir),
 * `SSH_AUTH_SOCK` (an ssh agent holding the deploy key), the proxy variables curl reads, the CA bundle variables, and
 * git's own settings that name no program: `GIT_SSL_*`, `GIT_HTTP_*`, `GIT_PROXY_SSL_*`, `GIT_CONFIG_NOSYSTEM`,
 * `GIT_TERMINAL_PROMPT`, `GIT_ALLOW_PROTOCOL`. Not passed: `GIT_DIR`/`GIT_WORK_TREE`-like variables (they would
 * point git elsewhere), `GIT_TRACE*` (it would print the token's header), and the ones that name a program to run
 * (`GIT_SSH_COMMAND`, `GIT_ASKPASS`, …), which simple-git strips or refuses anyway (docs/gitops.md, "Security").
 */

const BASICS = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'XDG_CONFIG_HOME',
  'SSH_AUTH_SOCK',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'CURL_CA_BUNDLE',
  // Windows: git for Windows needs these to start at all.
  'SYSTEMROOT',
  'COMSPEC',
  'PATHEXT',
]);
/** curl reads lower-case names (and upper case but `HTTP_PROXY`, which CGI makes unsafe; git's curl takes both). */
const PROXY = /^(https?|all|no|ftp)_proxy$/i;
const LOCALE = /^LC_[A-Z]+$/;
const GIT_SETTING = /^GIT_(SSL_[A-Z_]+|HTTP_[A-Z_]+|PROXY_SSL_[A-Z_]+|CONFIG_NOSYSTEM|TERMINAL_PROMPT|ALLOW_PROTOCOL)$/;

/** The part of `env` a git process gets. */
export function gitEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const passed: Record<string, string> = {};
  for (const [name, value] of Object.entries(env))
    if (value !== undefined && (BASICS.has(name) || PROXY.test(name) || LOCALE.test(name) || GIT_SETTING.test(name)))
      passed[name] = value;
  return passed;
}

/** The `GIT_*` names in `env`: simple-git passes a `GIT_*` variable only when it is allowed by name. */
export function gitVariableNames(env: Record<string, string>): string[] {
  return Object.keys(env).filter((name) => /^GIT_/i.test(name));
}
