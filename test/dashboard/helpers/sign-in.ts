/** Signs a browser page in to the dashboard through the test identity provider's real login and consent pages. */
import type { Page } from 'playwright-core';

export async function signIn(page: Page, operatorUrl: string, login: string): Promise<void> {
  // The provider's development pages import a web font; this machine has no internet, so refuse it at once.
  await page.route(/^https:\/\//, (route) => route.abort());
  page.setDefaultTimeout(10_000);
  await page.goto(`${operatorUrl}/`);
  await page.waitForURL(`${operatorUrl}/auth/sign-in?next=%2F`);
  await page.click('#sign-in-sso');
  await page.waitForSelector('input[name=login]');
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'any password: the development provider accepts it');
  await page.click('button[type=submit]');
  // The provider asks for consent the first time; "Continue" grants it.
  await page.waitForURL((url) => url.href.startsWith(`${operatorUrl}/`) || url.pathname.startsWith('/interaction/'));
  if (!page.url().startsWith(`${operatorUrl}/`)) {
    await page.click('button[type=submit]');
    await page.waitForURL((url) => url.href.startsWith(`${operatorUrl}/`));
  }
}
