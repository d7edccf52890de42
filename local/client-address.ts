/** Dev mode's client address: the peer of the request's socket (a proxy in front would need its own rule). */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { ClientAddressOf } from '../shared/http/app.js';

/** The socket's remote address, as @hono/node-server's getConnInfo reads it. */
export const socketAddress: ClientAddressOf = (c) => getConnInfo(c).remote.address;
