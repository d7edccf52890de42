/**
 * isolateFromHost's iptables calls, against the real Docker engine (for the networks) and a
 * recording stand-in for iptables (the real rules are exercised by test/e2e/hostile-sandbox.test.ts).
 */
import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { HOST_CHAIN, firewallRules, isolateFromHost, type Rule } from '../../local/docker/host-firewall.js';
import { bridgeGateway } from '../../local/result-listener.js';
import { runNetworkBridge } from '../../local/docker/run-network.js';

const docker = new Docker();
const asRoot = process.getuid?.() === 0;

/** An iptables that holds rules in memory: `-C` answers from them, `-A`/`-I` add, `failOn` refuses matching rules. */
function fakeIptables(failOn?: (args: readonly string[]) => boolean) {
  const rules = new Set<string>();
  const calls: string[] = [];
  const run = async (args: readonly string[]) => {
    calls.push(args.join(' '));
    const [op, ...rest] = args;
    const rule = (op === '-I' ? [rest[0]!, ...rest.slice(2)] : rest).join(' ');
    if (op === '-C' && !rules.has(rule)) throw new Error('no such rule');
    if (failOn?.(args)) throw Object.assign(new Error('refused'), { stderr: 'iptables: No chain/target/match by that name.' });
    if (op === '-A' || op === '-I') rules.add(rule);
  };
  return { run, calls, rules };
}

describe('firewallRules', () => {
  it('lets replies and sockets bound to a gateway through, refuses the rest, and jumps there from INPUT for the bridge only', () => {
    const rules = firewallRules('br-x', ['172.17.0.1']);
    expect(rules.chain).toEqual([
      [HOST_CHAIN, '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'RETURN'],
      [HOST_CHAIN, '-d', '172.17.0.1', '-p', 'tcp', '-m', 'socket', '-j', 'RETURN'],
      [HOST_CHAIN, '-j', 'REJECT', '--reject-with', 'icmp-admin-prohibited'],
    ]);
    expect(rules.jump).toEqual(['INPUT', '-i', 'br-x', '-j', HOST_CHAIN]);
    expect(rules.forward.every((rule) => rule[0] === 'DOCKER-USER' && rule[1] === '-i' && rule[2] === 'br-x')).toBe(true);
  });
});

describe.skipIf(!asRoot)('isolateFromHost (root)', () => {
  it('installs every rule once, the refusal after what it lets through and the jump last; a second call adds nothing', async () => {
    const iptables = fakeIptables();
    expect(await isolateFromHost(docker, iptables.run)).toBe(true);
    const { bridge, gateway } = await runNetworkBridge(docker);
    const expected = firewallRules(bridge, [(await bridgeGateway(docker))!, gateway!]);
    const added = iptables.calls.filter((c) => c.startsWith('-A ') || c.startsWith('-I '));
    expect(added).toEqual([
      ...expected.chain.map((r: Rule) => `-A ${r.join(' ')}`),
      ...expected.forward.map((r: Rule) => `-I ${r[0]} 1 ${r.slice(1).join(' ')}`),
      `-I INPUT 1 ${expected.jump.slice(1).join(' ')}`,
    ]);
    iptables.calls.length = 0;
    expect(await isolateFromHost(docker, iptables.run)).toBe(true);
    expect(iptables.calls.filter((c) => c.startsWith('-A ') || c.startsWith('-I '))).toEqual([]);
  });

  it('installs no jump when a rule is refused (a kernel without the socket match), and says it could not', async () => {
    const iptables = fakeIptables((args) => args[0] === '-A' && args.includes('socket'));
    expect(await isolateFromHost(docker, iptables.run)).toBe(false);
    expect([...iptables.rules].some((r) => r.startsWith('INPUT'))).toBe(false);
    expect([...iptables.rules].some((r) => r.includes('REJECT') && r.startsWith(HOST_CHAIN))).toBe(false);
  });
});
