import { BlockList, isIP } from "node:net";

/** "::ffff:192.0.2.1" (an IPv4 client on a dual-stack socket) is the IPv4 address it carries. */
function normalize(address: string): string {
  const lower = address.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  return mapped ? mapped[1] : lower;
}

const family = (address: string) => (isIP(address) === 6 ? "ipv6" : "ipv4");

/**
 * TRUST_PROXY: the addresses (or CIDR ranges) of the reverse proxies in front of Senim, comma-separated,
 * e.g. "10.0.0.0/8,192.0.2.7". Only a request whose peer is one of them has its X-Forwarded-For read.
 */
export class TrustedProxies {
  private constructor(private readonly list: BlockList) {}

  static parse(spec: string): TrustedProxies {
    const list = new BlockList();
    for (const entry of spec
      .split(",")
      .map((e) => e.trim())
      .filter(Boolean)) {
      const [address, prefix, extra] = entry.split("/");
      const kind = isIP(address);
      if (!kind || extra !== undefined)
        throw new Error(`"${entry}" is not an IP address or a CIDR range such as 10.0.0.0/8`);
      if (prefix === undefined) {
        list.addAddress(address, family(address));
        continue;
      }
      const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
      if (!(bits >= 0 && bits <= (kind === 6 ? 128 : 32)))
        throw new Error(`"${entry}" has a prefix length out of range`);
      list.addSubnet(address, bits, family(address));
    }
    return new TrustedProxies(list);
  }

  has(address: string): boolean {
    return isIP(address) !== 0 && this.list.check(address, family(address));
  }
}

/**
 * The client's address. Without trusted proxies it is the socket's peer, whatever the headers say.
 * With them, X-Forwarded-For is read from the right (each proxy appends the peer it saw), past every
 * trusted proxy, to the first address that is not one: entries further left were written by the client
 * and may be forged. A malformed entry stops the walk at the last address that could be believed.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | undefined,
  trusted: TrustedProxies | null,
): string {
  let client = normalize(peer ?? "");
  if (!trusted || !forwardedFor) return client;
  const hops = forwardedFor.split(",").map(normalize);
  while (trusted.has(client) && hops.length) {
    const next = hops.pop()!;
    if (!isIP(next)) break;
    client = next;
  }
  return client;
}

/**
 * What a per-address limit counts: the address itself for IPv4, the /64 network for IPv6, since one
 * subscriber is usually given a whole /64 and could otherwise step through its addresses.
 */
export function addressKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head, tail] = address.split("%")[0].split("::");
  const groups = (part: string | undefined) =>
    (part ? part.split(":") : []).flatMap((g) => (g.includes(".") ? ["0", "0"] : [g])); // a dotted tail fills two groups
  const left = groups(head);
  const right = groups(tail);
  const all =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return `${all
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}
