/**
 * The gateway's metrics as an admin sees them on the twin: the functions print
 * Powertools EMF records, the twin captures them, and the admins-only `liveMetrics`
 * query serves them as series, with bounded dimensions and never a user id.
 */
import { generateClient } from 'aws-amplify/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEmfRecord, type EmfRecord } from '../../functions/shared/emf.js';
import { SIMULATOR_MODEL_ID } from '../../schema/models.js';
import { DIMENSION_NAMES, METRIC_UNITS, METRICS_NAMESPACE, MetricName, SERVICE_NAME } from '../../functions/shared/metrics.js';
import type { EndEvent } from '../../schema/stream-protocol.js';
import { METRICS_CAPTURE_PATH } from '../../infra/local/metrics-capture.js';
import type { Twin } from '../../infra/local/twin.js';
import { configureAmplify, DEMO_USERS, signInAs } from '../helpers/amplify.js';
import { subscribeToTurn } from '../helpers/chat-stream.js';
import { gql, graphql, type ResultOf } from '../helpers/graphql.js';
import { startTestTwin } from '../helpers/twin.js';

const [ALICE, BOB, ADMIN] = DEMO_USERS;
const OPUS = 'anthropic.claude-opus-4-1-20250805-v1:0';

const LIVE_METRICS = gql(`query LiveMetrics { liveMetrics(windowMinutes: 15) { at windowMinutes series { name unit dimensions points { at value } } } }`);
const START_CHAT = /* GraphQL */ `mutation Start($input: StartChatInput!) { startChat(input: $input) { requestId } }`;

type Series = NonNullable<ResultOf<typeof LIVE_METRICS>['liveMetrics']>['series'][number];
/** A series' dimensions: AWSJSON, which Amplify hands back as the JSON string. */
const dimensionsOf = (series: Series) => JSON.parse(series.dimensions as string) as Record<string, string>;


/** The sum of a series' points for one model and group (the users group: Alice's turns). */
function total(series: Series[], name: string, dimensions: Record<string, string>): number {
  return series
    .filter((s) => s.name === name && JSON.stringify(dimensionsOf(s)) === JSON.stringify(dimensions))
    .flatMap((s) => s.points)
    .reduce((sum, point) => sum + point.value, 0);
}

describe('live metrics through the twin', () => {
  let twin: Twin;
  let end: EndEvent;
  let series: Series[];
  let userSubs: string[];
  const aliceDimensions = { group: 'users', model: SIMULATOR_MODEL_ID, service: SERVICE_NAME };

  beforeAll(async () => {
    twin = await startTestTwin({ bedrockSpeed: 20 });
    configureAmplify(twin);
    userSubs = [];
    for (const user of [BOB, ADMIN]) userSubs.push((await signInAs(user)).sub);
    const { sub } = await signInAs(ALICE);
    userSubs.push(sub);
    // Prepare: one turn that streams, and one that admission refuses for its model.
    const conversationId = `metrics-${Date.now().toString(36)}`;
    const stream = await subscribeToTurn(`/chat/${sub}/${conversationId}`);
    await graphql(START_CHAT, { input: { conversationId, modelId: SIMULATOR_MODEL_ID, prompt: 'Count me. [[sim:tokens=30]]', maxTokens: 100 } });
    end = (await stream.until((turn) => turn.final !== undefined)).final as EndEvent;
    await stream.close();
    await (generateClient().graphql({ query: START_CHAT, variables: { input: { modelId: OPUS, prompt: 'Not for me.' } } }) as Promise<unknown>).catch(() => undefined);
    // Act: the turn's record is printed just after its end event, so wait for it to show.
    await signInAs(ADMIN);
    const deadline = Date.now() + 10_000;
    for (;;) {
      series = (await graphql(LIVE_METRICS)).liveMetrics!.series;
      if (series.some((s) => s.name === MetricName.StreamDuration) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  afterAll(async () => {
    await twin?.close();
  });

  it('serves the turn as the series functions/shared/metrics.ts declares, each with its unit', () => {
    // Assess
    const names = new Set(series.map((s) => s.name));
    for (const name of [MetricName.Turns, MetricName.InputTokens, MetricName.OutputTokens, MetricName.CostUsd, MetricName.TimeToFirstToken, MetricName.StreamDuration]) {
      expect(names).toContain(name);
    }
    for (const s of series) {
      expect(Object.values(MetricName)).toContain(s.name);
      expect(s.unit).toBe(METRIC_UNITS[s.name as MetricName]);
    }
  });

  it('adds up to the turn the client saw end', () => {
    // Assess
    expect(total(series, MetricName.Turns, aliceDimensions)).toBe(1);
    expect(total(series, MetricName.InputTokens, aliceDimensions)).toBe(end.usage.inputTokens);
    expect(total(series, MetricName.OutputTokens, aliceDimensions)).toBe(end.usage.outputTokens);
    expect(total(series, MetricName.CostUsd, aliceDimensions)).toBeCloseTo(end.costUsd, 9);
    expect(total(series, MetricName.TimeToFirstToken, aliceDimensions)).toBeGreaterThan(0);
  });

  it('counts a refused model as a model denial under the bounded dimensions', () => {
    // Assess
    expect(total(series, MetricName.ModelDenials, { group: 'users', model: OPUS, service: SERVICE_NAME })).toBe(1);
  });

  it('uses only the model, group and service dimensions, never a user id', () => {
    // Assess
    for (const s of series) {
      const dimensions = dimensionsOf(s);
      expect(Object.keys(dimensions).sort()).toEqual([...DIMENSION_NAMES].sort());
      for (const sub of userSubs) expect(Object.values(dimensions)).not.toContain(sub);
      expect(s.dimensions).not.toContain(end.requestId);
    }
  });

  it('keeps the user id in the captured EMF records as metadata, outside every dimension set', async () => {
    // Act: the raw records the twin captured from the functions' output.
    const response = await fetch(`${twin.url}${METRICS_CAPTURE_PATH}?windowMinutes=15`);
    const records = ((await response.json()) as unknown[]).filter(isEmfRecord) as EmfRecord[];
    // Assess
    const turnRecord = records.find((record) => record.requestId === end.requestId && MetricName.StreamDuration in record);
    expect(turnRecord).toMatchObject({ userId: userSubs[2], model: SIMULATOR_MODEL_ID, group: 'users', service: SERVICE_NAME });
    for (const record of records) {
      for (const directive of record._aws.CloudWatchMetrics) {
        expect(directive.Namespace).toBe(METRICS_NAMESPACE);
        for (const set of directive.Dimensions) expect(DIMENSION_NAMES).toEqual(expect.arrayContaining(set));
      }
    }
  });
});
