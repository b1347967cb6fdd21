// OAuth 2.1 as a real MCP client does it, with the sign-in page in chromium:
// a 401 leads to the protected-resource metadata, then the authorization
// server's metadata; the client registers (dynamic registration) or names
// its Client ID Metadata Document, served here by a local HTTP server; the
// user signs up (then in) on the consent page; the redirect brings the code
// to the client's callback; the code and PKCE verifier become tokens; the
// refresh token rotates; the protected tool answers as the user.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { browserSkip, startSkyport, launchBrowser, watchPage } from './lib/harness.mjs';

const skip = browserSkip('oauth.test.mjs');
const PASSWORD = 'correct horse battery';

let server;
let browser;
let dataDir;
let clientSite; // the "MCP client": its metadata document and its callback
let clientBase;

before(async () => {
  if (skip) return;
  dataDir = await mkdtemp(path.join(tmpdir(), 'skyport-oauth-'));
  clientSite = createServer((req, res) => {
    const url = new URL(req.url, clientBase);
    if (url.pathname === '/client.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=600' });
      res.end(JSON.stringify({
        client_id: `${clientBase}/client.json`,
        client_name: 'Metadata Client',
        redirect_uris: [`${clientBase}/callback`],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      }));
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<p id="done">back at the client</p>');
    }
  });
  await new Promise((resolve) => clientSite.listen(0, '127.0.0.1', resolve));
  clientBase = `http://127.0.0.1:${clientSite.address().port}`;
  server = await startSkyport(['serve', '--apps', 'probe', '--stateless'], {
    // The metadata document lives on loopback http: allowed for this test only.
    env: { SKYPORT_DATA_DIR: dataDir, SKYPORT_AUTH_OAUTH_ALLOW_PRIVATE_FETCH: 'true' },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  clientSite?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const b64url = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

async function callWhoami(token) {
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-06-18',
  };
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(`${server.url}/probe/mcp`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
  });
}

/** Discovery from a 401, as clients do it. */
async function discover() {
  const r = await callWhoami('sat_not-a-token');
  assert.equal(r.status, 401);
  const www = r.headers.get('www-authenticate');
  const prmUrl = /resource_metadata="([^"]+)"/.exec(www)[1];
  const prm = await (await fetch(prmUrl)).json();
  const as = await (await fetch(`${prm.authorization_servers[0]}/.well-known/oauth-authorization-server`)).json();
  assert.deepEqual(as.code_challenge_methods_supported, ['S256']);
  return { prm, as };
}

/** Signs in on the consent page in chromium; returns the code from the callback. */
async function authorizeInBrowser(as, prm, clientId, { signUp }) {
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const state = b64url(randomBytes(12));
  const url = new URL(as.authorization_endpoint);
  for (const [k, v] of Object.entries({
    response_type: 'code', client_id: clientId, redirect_uri: `${clientBase}/callback`, state,
    scope: 'probe.read', code_challenge: challenge, code_challenge_method: 'S256', resource: prm.resource,
  })) url.searchParams.set(k, v);

  const page = await browser.newPage();
  const watch = watchPage(page);
  await page.goto(url.href);
  await page.locator('#scopes').getByText('probe.read').waitFor();
  if (signUp) {
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Name').fill('Grace Hopper');
  }
  await page.getByLabel('Email').fill('grace@example.com');
  await page.getByLabel('Password').fill(PASSWORD);
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(`${clientBase}/callback`)),
    page.getByRole('button', { name: 'Sign in and allow' }).click(),
  ]);
  const back = new URL(page.url());
  await page.close();
  assert.deepEqual(watch.errors, [], "no page errors");
  assert.equal(back.searchParams.get('state'), state);
  assert.equal(back.searchParams.get('iss'), as.issuer);
  return { code: back.searchParams.get('code'), verifier };
}

async function tokenRequest(as, params) {
  const r = await fetch(as.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  return { status: r.status, body: await r.json() };
}

async function fullFlow(clientId, as, prm, signUp) {
  const { code, verifier } = await authorizeInBrowser(as, prm, clientId, { signUp });
  const exchanged = await tokenRequest(as, {
    grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId,
    redirect_uri: `${clientBase}/callback`, resource: prm.resource,
  });
  assert.equal(exchanged.status, 200, JSON.stringify(exchanged.body));
  const refreshed = await tokenRequest(as, {
    grant_type: 'refresh_token', refresh_token: exchanged.body.refresh_token, client_id: clientId, resource: prm.resource,
  });
  assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
  assert.notEqual(refreshed.body.refresh_token, exchanged.body.refresh_token, 'refresh tokens rotate');
  const r = await callWhoami(refreshed.body.access_token);
  assert.equal(r.status, 200);
  const reply = await r.json();
  assert.equal(reply.result.isError, false, JSON.stringify(reply));
  assert.match(reply.result.structuredContent.subject, /^usr_/);
  assert.equal(reply.result.structuredContent.client_id, clientId);
  assert.deepEqual(reply.result.structuredContent.scopes, ['probe.read']);
}

test('dynamic registration, sign-up in the browser, tokens, refresh, a protected tool', { skip }, async () => {
  const { prm, as } = await discover();
  const reg = await fetch(as.registration_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'Registered Client', redirect_uris: [`${clientBase}/callback`], token_endpoint_auth_method: 'none' }),
  });
  assert.equal(reg.status, 201);
  const { client_id: clientId } = await reg.json();
  await fullFlow(clientId, as, prm, true);
});

test('a Client ID Metadata Document client signs in the same way', { skip }, async () => {
  const { prm, as } = await discover();
  assert.equal(as.client_id_metadata_document_supported, true);
  await fullFlow(`${clientBase}/client.json`, as, prm, false);
});
