/**
 * Dev mode's second listener, for jobs: the API itself listens on loopback only, which a
 * container cannot reach; this one listens on the default bridge's gateway address (the
 * host's end of docker0, where `host-gateway` points), never on 0.0.0.0, and answers only
 * POST /runs/{runId}/result. So the API is exposed to nothing beyond loopback and Docker's
 * bridge, and what the bridge can reach is the one route a run token opens.
 */
import { isIPv4 } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type Docker from 'dockerode';
import { isResultPost } from '../shared/http/routes/results.js';
import { logger } from '../shared/logger.js';
import { HOST_ALIAS } from './docker/container-options.js';

export interface ResultListener {
  /** The base URL jobs post to (`http://host.containers.internal:<port>`), or undefined when there is no bridge to listen on. */
  baseUrl: string | undefined;
  close(): Promise<void>;
}

/**
 * The default bridge's gateway: IPAM's Gateway when Docker reports one, else the subnet's
 * first address (Docker's own choice when none is configured).
 */
export async function bridgeGateway(docker: Docker): Promise<string | undefined> {
  const info = (await docker.getNetwork('bridge').inspect()) as { IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] } };
  const config = info.IPAM?.Config?.find((c) => c.Subnet && isIPv4(c.Subnet.split('/')[0]!));
  if (!config) return undefined;
  if (config.Gateway) return config.Gateway;
  const octets = config.Subnet!.split('/')[0]!.split('.').map(Number);
  octets[3] = octets[3]! + 1;
  return octets.join('.');
}

/** Listens for result posts on the bridge gateway (an ephemeral port) and hands them to `fetch`. A host without a bridge gets no URL, and jobs use the result file. */
export async function startResultListener(docker: Docker, fetch: (request: Request) => Response | Promise<Response>): Promise<ResultListener> {
  let address: string | undefined;
  try {
    address = await bridgeGateway(docker);
  } catch (err) {
    logger.warn('no Docker bridge: jobs can report through their result file only', { error: err as Error });
  }
  if (!address) return { baseUrl: undefined, close: async () => undefined };
  const onlyResults = (request: Request) => {
    const url = new URL(request.url);
    return isResultPost(request.method, url.pathname) ? fetch(request) : new Response(null, { status: 404 });
  };
  try {
    const server: ServerType = await new Promise((resolve, reject) => {
      const s = serve({ fetch: onlyResults, port: 0, hostname: address }, () => resolve(s));
      s.once('error', reject);
    });
    const { port } = server.address() as { port: number };
    return {
      baseUrl: `http://${HOST_ALIAS}:${port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  } catch (err) {
    logger.warn(`cannot listen on the Docker bridge (${address}): jobs can report through their result file only`, { error: err as Error });
    return { baseUrl: undefined, close: async () => undefined };
  }
}
