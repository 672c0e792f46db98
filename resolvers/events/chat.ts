import { util, type EventOnSubscribeContext } from '@aws-appsync/utils';

/**
 * The `chat` namespace carries token streams. A user may subscribe only to channels
 * under its own Cognito `sub` (`/chat/{sub}/...`); the gateway's IAM role publishes
 * (the namespace's publish auth mode is IAM only). Any other caller, IAM included, is
 * refused here as well as by the namespace's Cognito-only subscribe mode.
 */
export function onSubscribe(ctx: EventOnSubscribeContext) {
  const identity = ctx.identity as { sub?: string } | null;
  if (!identity || !identity.sub || identity.sub !== ctx.info.channel.segments[1]) {
    util.unauthorized();
  }
}
