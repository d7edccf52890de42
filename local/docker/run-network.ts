/**
 * The network every run's container joins: one bridge with inter-container communication off
 * (`com.docker.network.bridge.enable_icc=false`), so no run can open a connection to another
 * run's container, while traffic out through the bridge's gateway (NAT) still flows — as on
 * Fargate, where each task has its own ENI and the security group admits no inbound traffic.
 *
 * Why not a network per run: each Docker network takes a subnet from the daemon's default
 * address pools (about 30 networks with the stock pools), so concurrent runs would exhaust
 * them and fail to start; one bridge costs one subnet whatever the number of runs. A run's
 * sidecars (when it has some) share its network namespace, as a Fargate task's containers
 * share localhost, so they need no container-to-container traffic either.
 */
import type Docker from 'dockerode';
import { dockerErrorMessage, dockerStatusCode } from './docker-events.js';

export const RUN_NETWORK = 'containerizer-runs';
/** The bridge option naming the host interface of a bridge network (else Docker names it `br-<first 12 characters of the network id>`). */
const BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name';
const ICC_OPTION = 'com.docker.network.bridge.enable_icc';

/**
 * Creates the run network unless it exists. Throws an Error when a network of that name exists
 * without the isolation (someone else made it), or when it cannot be created.
 */
export async function ensureRunNetwork(docker: Docker): Promise<string> {
  try {
    const info = (await docker.getNetwork(RUN_NETWORK).inspect()) as { Driver?: string; Options?: Record<string, string> };
    if (info.Driver !== 'bridge' || info.Options?.[ICC_OPTION] !== 'false') {
      throw new Error(`Docker network "${RUN_NETWORK}" exists without ${ICC_OPTION}=false; remove it so the platform can create it isolated`);
    }
    return RUN_NETWORK;
  } catch (err) {
    if (dockerStatusCode(err) !== 404) throw err;
  }
  try {
    await docker.createNetwork({
      Name: RUN_NETWORK,
      Driver: 'bridge',
      CheckDuplicate: true,
      Options: { [ICC_OPTION]: 'false' },
      Labels: { 'containerizer.network': 'runs' },
    });
  } catch (err) {
    // 409: created concurrently (another start, another server on this engine).
    if (dockerStatusCode(err) !== 409) throw new Error(`cannot create the Docker network "${RUN_NETWORK}": ${dockerErrorMessage(err)}`, { cause: err });
  }
  return RUN_NETWORK;
}

/** The run network made once per Docker client (ensureRunNetwork); a failure is not kept, so the next call tries again. */
export function runNetworkOf(docker: Docker): () => Promise<string> {
  let network: Promise<string> | undefined;
  return () =>
    (network ??= ensureRunNetwork(docker).catch((err: unknown) => {
      network = undefined;
      throw err;
    }));
}

/** The run network's host side: its bridge interface and its gateway (IPv4), made if missing. */
export async function runNetworkBridge(docker: Docker): Promise<{ bridge: string; gateway: string | undefined }> {
  const info = (await docker.getNetwork(await ensureRunNetwork(docker)).inspect()) as {
    Id: string;
    Options?: Record<string, string>;
    IPAM?: { Config?: { Gateway?: string }[] };
  };
  const gateway = info.IPAM?.Config?.map((c) => c.Gateway).find((g) => g && !g.includes(':'));
  return { bridge: info.Options?.[BRIDGE_NAME_OPTION] ?? `br-${info.Id.slice(0, 12)}`, gateway };
}
