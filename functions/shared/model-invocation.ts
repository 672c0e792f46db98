/**
 * How the gateway invokes a configured model in a given AWS Region, from the catalogue's
 * invocation rules (schema/models.ts): the id to send to Bedrock, and the IAM
 * resources that call needs. The streaming Lambda, the CDK stack and the twin's Bedrock all
 * decide with these functions, so what the twin accepts is what AWS accepts.
 *
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html
 * @example
 * ```ts
 * invocationModelId('anthropic.claude-3-7-sonnet-20250219-v1:0', 'us-east-1'); // 'us.anthropic.claude-3-7-sonnet-20250219-v1:0'
 * ```
 */
import { MODELS, type InferenceProfileGeo, type ModelConfig } from '../../schema/models.js';

/** Source Regions of each system-defined inference profile geography (the Regions it may be called from and routes to). */
export const PROFILE_REGIONS: Readonly<Record<Exclude<InferenceProfileGeo, 'global'>, readonly string[]>> = {
  us: ['us-east-1', 'us-east-2', 'us-west-2'],
  eu: ['eu-central-1', 'eu-west-1', 'eu-west-3', 'eu-north-1'],
  apac: ['ap-northeast-1', 'ap-northeast-2', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2'],
};

/** Commercial Regions a `global.` profile may be called from: every geography above. */
const GLOBAL_SOURCE_REGIONS: readonly string[] = Object.values(PROFILE_REGIONS).flat();

const ANY_REGION = '*';
const PROFILE_PREFIX = /^(us|eu|apac|global)\./;

/** How one model is invoked in one Region. */
export type ModelInvocation =
  | { kind: 'onDemand'; modelId: string; foundationModelId: string }
  | { kind: 'profile'; geo: InferenceProfileGeo; modelId: string; foundationModelId: string };

function sourceRegions(geo: InferenceProfileGeo): readonly string[] {
  return geo === 'global' ? GLOBAL_SOURCE_REGIONS : PROFILE_REGIONS[geo];
}

/**
 * How `model` is invoked from `region`: on demand by its bare id where the rule allows it,
 * else through the first of its profiles that may be called from the Region; undefined
 * when Bedrock offers it no way there.
 */
export function modelInvocation(model: ModelConfig, region: string): ModelInvocation | undefined {
  const prefixed = PROFILE_PREFIX.exec(model.id);
  const foundationModelId = prefixed ? model.id.slice(prefixed[0].length) : model.id;
  const { onDemandRegions, profiles } = model.invocation;
  if (!prefixed && (onDemandRegions.includes(ANY_REGION) || onDemandRegions.includes(region))) {
    return { kind: 'onDemand', modelId: model.id, foundationModelId };
  }
  const geo = profiles.find((candidate) => sourceRegions(candidate).includes(region));
  return geo ? { kind: 'profile', geo, modelId: `${geo}.${foundationModelId}`, foundationModelId } : undefined;
}

/**
 * The id the gateway sends to Bedrock for a catalogue model in `region`; an id the catalogue
 * does not list, or a model Bedrock does not offer in the Region, is returned unchanged (and
 * Bedrock refuses it).
 */
export function invocationModelId(modelId: string, region: string, models: readonly ModelConfig[] = MODELS): string {
  const model = models.find((m) => m.id === modelId);
  return (model && modelInvocation(model, region)?.modelId) ?? modelId;
}

export interface ArnScope {
  region: string;
  account: string;
  partition: string;
}

/**
 * The resources `bedrock:InvokeModelWithResponseStream` needs for `model` from the scope's
 * Region, and nothing more:
 * - on demand: the foundation model in that Region;
 * - through a geographic profile: the profile in that Region, and the foundation model in
 *   each Region the profile routes to (Bedrock checks it there);
 * - through `global.`: the profile, the foundation model in the Region, and the Region-less
 *   foundation-model ARN Bedrock checks for global routing.
 * @throws RangeError when Bedrock offers the model no way from the Region
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/global-cross-region-inference.html
 */
export function invocationArns(model: ModelConfig, scope: ArnScope): string[] {
  const invocation = modelInvocation(model, scope.region);
  if (!invocation) throw new RangeError(`${model.id} cannot be invoked from ${scope.region}: ${describeInvocation(model)}`);
  const foundation = (region: string) => `arn:${scope.partition}:bedrock:${region}::foundation-model/${invocation.foundationModelId}`;
  if (invocation.kind === 'onDemand') return [foundation(scope.region)];
  const profile = `arn:${scope.partition}:bedrock:${scope.region}:${scope.account}:inference-profile/${invocation.modelId}`;
  if (invocation.geo === 'global') return [profile, foundation(scope.region), foundation('')];
  return [profile, ...PROFILE_REGIONS[invocation.geo].map(foundation)];
}

/** The rule in words, for errors and docs: "on demand in us-west-2; profiles us." */
export function describeInvocation(model: ModelConfig): string {
  const { onDemandRegions, profiles } = model.invocation;
  const parts = [
    onDemandRegions.length > 0 ? `on demand in ${onDemandRegions.join(', ')}` : 'no on-demand Region',
    profiles.length > 0 ? `inference profiles ${profiles.map((geo) => `${geo}.`).join(', ')}` : 'no inference profile',
  ];
  return parts.join('; ');
}

/**
 * Whether Bedrock's CountTokens answers for `modelId` in `region`: only for a model the
 * catalogue marks as counted, by its bare id, where it runs on demand (profile ids are refused).
 */
export function countsTokens(modelId: string, region: string, models: readonly ModelConfig[] = MODELS): boolean {
  const model = models.find((m) => m.id === modelId);
  if (!model?.invocation.countTokens) return false;
  return modelInvocation(model, region)?.kind === 'onDemand';
}

/** What Bedrock answers for an id in a Region: it serves it, it wants an inference profile instead, or it has no such model there. */
export type ModelIdVerdict = 'serves' | 'needsProfile' | 'notOffered';

/**
 * What Bedrock answers, per the catalogue, when `modelId` (a bare id, a profile id or either's
 * ARN) is invoked from `region`; undefined for a model the catalogue does not list.
 * @example
 * ```ts
 * modelIdVerdict('anthropic.claude-3-7-sonnet-20250219-v1:0', 'us-east-1'); // 'needsProfile'
 * ```
 */
export function modelIdVerdict(modelId: string, region: string, models: readonly ModelConfig[] = MODELS): ModelIdVerdict | undefined {
  const id = modelId.startsWith('arn:') ? modelId.slice(modelId.lastIndexOf('/') + 1) : modelId;
  const prefixed = PROFILE_PREFIX.exec(id);
  const bare = prefixed ? id.slice(prefixed[0].length) : id;
  const entries = models.filter((m) => m.id === id || m.id === bare || m.id.endsWith(`.${bare}`));
  if (entries.length === 0) return undefined;
  const invocations = entries.map((m) => modelInvocation(m, region)).filter((i) => i !== undefined);
  if (invocations.some((i) => i.modelId === id)) return 'serves';
  if (!prefixed && invocations.some((i) => i.kind === 'profile')) return 'needsProfile';
  return 'notOffered';
}
