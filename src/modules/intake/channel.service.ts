import type { Context } from "../../context";
import { badInput } from "../../errors";

/**
 * An INTAKE token speaks for one channel (its principal's `channel`): a portal may not register a
 * submission as another channel. Anyone else names the channel the citizen used.
 */
export function requireOwnChannel(ctx: Context, channel: string) {
  const own = ctx.principal?.channel;
  if (own && channel !== own)
    throw badInput("input.channel", "this token submits only as the channel it was issued for");
}
