/**
 * A token for an HTTPS spec repository, handed to git through its environment and never its command line: every
 * local user can read a process's command line (`ps`, /proc/<pid>/cmdline), only its owner can read its environment.
 * git takes it as an `Authorization` header (`http.<url>.extraHeader`, set with `GIT_CONFIG_COUNT`/`KEY`/`VALUE`,
 * git >= 2.31), scoped to the repository's URL so no other host ever receives it.
 */

/** Why `repo` cannot carry a token, or undefined when it can (https, or http to this host only). */
export function tokenRepoProblem(repo: string): string | undefined {
  let url: URL;
  try {
    url = new URL(repo);
  } catch {
    return 'a token is for an https:// repository; this is a path or an SSH address (use a deploy key for SSH)';
  }
  if (url.password) return 'the repository URL carries a password as well: remove it from the URL';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return undefined;
  return `a token is sent only over https:// (or http:// to this host), not to ${url.protocol}//${url.host}`;
}

/**
 * The variables that make git send `token` (Basic auth as `user`) to the repository at `repo`, and never prompt; added
 * to the environment git gets (git-environment.ts).
 */
export function gitTokenEnvironment(repo: string, user: string, token: string): Record<string, string> {
  const basic = Buffer.from(`${user}:${token}`).toString('base64');
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${repo}.extraHeader`,
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    GIT_TERMINAL_PROMPT: '0',
  };
}
