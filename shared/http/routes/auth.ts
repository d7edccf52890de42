/** Routes of /auth: built-in accounts (register, login, refresh) and the signed-in account. */
import { createRoute } from '@hono/zod-openapi';
import type { Platform } from '../../services/platform-services.js';
import { Credentials, RefreshBody, Registration, TokenSet, User } from '../../schemas.js';
import type { Api, ClientAddressOf } from '../app.js';
import { bodyProblems, json, jsonBody, open, problems, secured } from './common.js';

const registerRoute = createRoute({
  operationId: 'register',
  tags: ['Auth'],
  method: 'post',
  path: '/auth/register',
  summary: 'Create an account (if the deployment lets you: it may close registration, or restrict it to e-mail domains or invitations)',
  security: open,
  request: jsonBody(Registration),
  responses: { 201: json(User, 'created'), 400: problems[400], 403: problems[403], 409: problems[409], 429: problems[429], ...bodyProblems },
});

const loginRoute = createRoute({
  operationId: 'login',
  tags: ['Auth'],
  method: 'post',
  path: '/auth/login',
  summary: 'Sign in; returns an access and a refresh token',
  security: open,
  request: jsonBody(Credentials),
  responses: { 200: json(TokenSet, 'signed in'), 400: problems[400], 401: problems[401], 429: problems[429], ...bodyProblems },
});

const refreshRoute = createRoute({
  operationId: 'refresh',
  tags: ['Auth'],
  method: 'post',
  path: '/auth/refresh',
  summary: 'Trade a refresh token (once) for a new pair',
  security: open,
  request: jsonBody(RefreshBody),
  responses: { 200: json(TokenSet, 'new tokens'), 400: problems[400], 401: problems[401], 429: problems[429], ...bodyProblems },
});

const meRoute = createRoute({
  operationId: 'me',
  tags: ['Auth'],
  method: 'get',
  path: '/auth/me',
  summary: 'The signed-in account',
  security: secured,
  responses: { 200: json(User, 'the account'), 401: problems[401] },
});

/** Registers the /auth routes over the auth service; `clientAddress` names the caller for the rate limits. */
export function authRoutes(app: Api, { auth }: Platform, clientAddress: ClientAddressOf): void {
  app.openapi(registerRoute, async (c) => {
    const { email, password, inviteCode } = c.req.valid('json');
    return c.json(await auth.register(email, password, clientAddress(c), inviteCode), 201);
  });
  app.openapi(loginRoute, async (c) => {
    const { email, password } = c.req.valid('json');
    return c.json(await auth.login(email, password, clientAddress(c)), 200);
  });
  app.openapi(refreshRoute, async (c) => c.json(await auth.refresh(c.req.valid('json').refreshToken, clientAddress(c)), 200));
  app.openapi(meRoute, async (c) => c.json(await auth.me(c.get('principal')), 200));
}
