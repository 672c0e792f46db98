import { MODELS } from '../../schema/models.js';
import { countsTokens, modelIdVerdict } from '../../functions/shared/model-invocation.js';
import { DEFAULT_MODELS, resolveModel, startBedrockTwin, type BedrockTwin, type BedrockTwinOptions } from './bedrock/index.js';
import type { TwinComponentFactory } from './context.js';
import { LOCAL_REGION } from './dynamodb.js';
import { eventsComponent } from './events/component.js';
import { functionUrlComponent } from './function-url.js';
import { createGraphqlComponent } from './graphql/component.js';
import { webAppComponent } from './web.js';

/** The Bedrock twin's whole-service faults, for a test or a demo of how the gateway copes. */
export type BedrockFaults = Pick<BedrockTwin, 'throttleEveryCall' | 'resetAttempts'>;

/** The twin's components, in the order they are offered each request. */
export const defaultComponents: TwinComponentFactory[] = [eventsComponent, createGraphqlComponent, functionUrlComponent, webAppComponent];

/**
 * Servers the twin runs beside its HTTPS port: the Bedrock Runtime endpoint (HTTP/2
 * cleartext, as the SDK speaks it), answering for every model the config prices, with the
 * ids and CountTokens support AWS has in the twin's Region (functions/shared/model-invocation.ts).
 */
export async function startSideServices(
  options: { bedrockSpeed?: number; onConverseStream?: BedrockTwinOptions['onConverseStream'] } = {},
): Promise<{ bedrockEndpoint: string; bedrockFaults: BedrockFaults; close(): Promise<void> }> {
  const unknownToSimulator = MODELS.filter((model) => !resolveModel(model.id, DEFAULT_MODELS));
  const models = Object.fromEntries(unknownToSimulator.map((model) => [model.id, { maxOutputTokens: model.maxOutputTokens }]));
  const bedrock = await startBedrockTwin({
    models,
    speed: options.bedrockSpeed,
    onConverseStream: options.onConverseStream,
    modelRules: { verdict: (id) => modelIdVerdict(id, LOCAL_REGION), countsTokens: (id) => countsTokens(id, LOCAL_REGION) },
  });
  return { bedrockEndpoint: bedrock.endpoint, bedrockFaults: bedrock, close: () => bedrock.close() };
}
