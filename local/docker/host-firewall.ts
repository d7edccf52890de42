/**
 * Keeps what runs on the runs' network (every run's container, every build's RUN steps) off the
 * host's own services. A container reaches the host through its bridge's gateway, and Docker
 * accepts that traffic (the INPUT chain), so a service listening on 0.0.0.0 — an API, a database,
 * a cloud VM's agent — would answer a job. Installed as root, idempotently, with iptables (the
 * command dockerd itself uses, iptables-nft or -legacy, so the rules sit where Docker's do):
 * - INPUT from the runs' bridge jumps to CONTAINERIZER-HOST, which lets through replies, and TCP
 *   to a socket bound to a Docker gateway's own address (`-m socket`: a listener on 0.0.0.0 does
 *   not match), which is where dev mode's result listeners wait; everything else is refused;
 * - DOCKER-USER (forwarded traffic) refuses, from the runs' bridge, link-local destinations (a cloud
 *   VM's instance metadata service) and connections Docker rewrote to a published port on the host.
 * Not root, or no iptables: a warning at start-up and nothing installed (README: "What a job can reach").
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { logger } from '../../shared/logger.js';
import { bridgeGateway } from '../result-listener.js';
import { runNetworkBridge } from './run-network.js';

const exec = promisify(execFile);

/** The chain INPUT sends the runs' bridge's traffic to. */
export const HOST_CHAIN = 'CONTAINERIZER-HOST';

const REFUSE = ['-j', 'REJECT', '--reject-with', 'icmp-admin-prohibited'];

/** An iptables call's arguments after `-w` and the operation: chain first, then the rule. */
export type Rule = readonly string[];

/**
 * The rules, in order, for the runs' `bridge` and the Docker `gateways` whose own sockets jobs may
 * reach: appended to HOST_CHAIN, inserted into DOCKER-USER, and the jump inserted first into INPUT.
 */
export function firewallRules(bridge: string, gateways: readonly string[]): { chain: Rule[]; forward: Rule[]; jump: Rule } {
  return {
    chain: [
      [HOST_CHAIN, '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'RETURN'],
      ...gateways.map((gateway) => [HOST_CHAIN, '-d', gateway, '-p', 'tcp', '-m', 'socket', '-j', 'RETURN']),
      [HOST_CHAIN, ...REFUSE],
    ],
    forward: [
      ['DOCKER-USER', '-i', bridge, '-d', '169.254.0.0/16', ...REFUSE],
      ['DOCKER-USER', '-i', bridge, '-m', 'conntrack', '--ctstate', 'DNAT', ...REFUSE],
    ],
    jump: ['INPUT', '-i', bridge, '-j', HOST_CHAIN],
  };
}

/** Runs `iptables -w <args>`; rejects with its stderr. */
export type Iptables = (args: readonly string[]) => Promise<void>;

const iptables: Iptables = async (args) => {
  await exec('iptables', ['-w', ...args]);
};

/**
 * Installs the rules unless present (each checked with `-C` first). Returns whether they are in
 * place; when they cannot be (not root, no iptables, a remote engine, an iptables error) logs a
 * warning saying what a job can then reach, and returns false. Never throws.
 */
export async function isolateFromHost(docker: Docker, run: Iptables = iptables): Promise<boolean> {
  const warn = (why: string) => {
    logger.warn(
      `${why}: jobs and builds can reach services the host listens on at 0.0.0.0 through the Docker bridge's gateway (README: "What a job can reach")`,
    );
    return false;
  };
  if (process.env.DOCKER_HOST && !process.env.DOCKER_HOST.startsWith('unix://')) return warn('the Docker engine is not local (DOCKER_HOST)');
  if (process.getuid?.() !== 0) return warn('dev mode is not running as root, so it cannot install its iptables rules');
  try {
    const { bridge, gateway } = await runNetworkBridge(docker);
    const gateways = [await bridgeGateway(docker), gateway].filter((g): g is string => g !== undefined);
    const rules = firewallRules(bridge, gateways);
    await run(['-N', HOST_CHAIN]).catch(() => undefined); // exists already
    const present = (rule: Rule) =>
      run(['-C', ...rule]).then(
        () => true,
        () => false,
      );
    // The refusal comes last and the jump after it, so a failure part-way blocks nothing the listeners need.
    for (const rule of rules.chain) if (!(await present(rule))) await run(['-A', ...rule]);
    for (const rule of rules.forward) if (!(await present(rule))) await run(['-I', rule[0]!, '1', ...rule.slice(1)]);
    if (!(await present(rules.jump))) await run(['-I', 'INPUT', '1', ...rules.jump.slice(1)]);
    return true;
  } catch (err) {
    const error = err as { stderr?: string; code?: string; message: string };
    return warn(`cannot install the iptables rules (${error.code === 'ENOENT' ? 'iptables is not installed' : error.stderr?.trim() || error.message})`);
  }
}
