/** The sign-in page: static HTML (no script), every dynamic value escaped. */

export function signInPage(options: { oidc: boolean; tokens: boolean; next: string; message?: string }): string {
  const next = escapeHtml(options.next);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Sign in · Junction</title>
    <link rel="stylesheet" href="/dashboard.css" />
  </head>
  <body>
    <header><h1>Junction</h1></header>
    <main class="sign-in">
      <section>
        <h2>Sign in</h2>
        ${options.message ? `<p class="error" id="sign-in-message">${escapeHtml(options.message)}</p>` : ''}
        ${options.oidc ? `<p><a id="sign-in-sso" class="button" href="/auth/login?next=${encodeURIComponent(options.next)}">Sign in with single sign-on</a></p>` : ''}
        ${
          options.tokens
            ? `<form method="post" action="/auth/token">
          <label for="token">API token</label>
          <input id="token" name="token" type="password" autocomplete="off" required />
          <input type="hidden" name="next" value="${next}" />
          <button type="submit">Sign in</button>
        </form>`
            : ''
        }
      </section>
    </main>
  </body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
