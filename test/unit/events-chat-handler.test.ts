import { describe, expect, it } from 'vitest';
import { DEFAULT_SUB, evaluateResolver, makeEventContext } from '../helpers/evaluate-resolver.js';

const CHAT = 'resolvers/events/chat.ts';
const OTHER_SUB = '99999999-8888-7777-6666-555555555555';
/** `ctx.identity` of an IAM caller, as AppSync fills it for SigV4. */
const IAM_IDENTITY = {
  accountId: '123456789012',
  cognitoIdentityPoolId: null,
  cognitoIdentityId: null,
  sourceIp: ['127.0.0.1'],
  username: 'AKIAEXAMPLE',
  userArn: 'arn:aws:iam::123456789012:role/sluice-gateway',
  cognitoIdentityAuthType: null,
  cognitoIdentityAuthProvider: null,
};

describe('chat namespace onSubscribe', () => {
  it('lets a user subscribe to its own token streams', async () => {
    const { error } = await evaluateResolver(CHAT, 'onSubscribe', makeEventContext({ channel: `/chat/${DEFAULT_SUB}/c1`, operation: 'SUBSCRIBE' }));
    expect(error).toBeUndefined();
  });

  it.each([
    ['another user’s stream', `/chat/${OTHER_SUB}/c1`],
    ['every user’s streams by wildcard', '/chat/*'],
  ])('refuses a user a subscription to %s', async (_name, channel) => {
    const { error } = await evaluateResolver(CHAT, 'onSubscribe', makeEventContext({ channel, operation: 'SUBSCRIBE' }));
    expect(error).toMatchObject({ errorType: 'Unauthorized' });
  });

  it('refuses an IAM principal too, should a namespace ever let IAM subscribe: streams are read by their owner only', async () => {
    const { error } = await evaluateResolver(CHAT, 'onSubscribe', makeEventContext({ channel: `/chat/${DEFAULT_SUB}/c1`, operation: 'SUBSCRIBE', identity: IAM_IDENTITY }));
    expect(error).toMatchObject({ errorType: 'Unauthorized' });
  });
});
