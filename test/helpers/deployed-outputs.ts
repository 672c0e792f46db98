import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';

type CfnValue = { Ref?: string; 'Fn::GetAtt'?: [string, string] };

/**
 * The amplify_outputs.json a synthesized stack deploys, each deploy-time value written
 * `{{Ref:Id}}` or `{{GetAtt:Id.Attr}}`. The BucketDeployment uploads a staged asset with
 * markers that it replaces at deploy time; this reads the asset and names each marker.
 *
 * @example
 * ```ts
 * const outputs = deployedAmplifyOutputs(app, Template.fromStack(stack));
 * ```
 */
export function deployedAmplifyOutputs(app: App, template: Template): Record<string, unknown> {
  const assembly = app.synth();
  const assetDir = readdirSync(assembly.directory).find((name) => existsSync(join(assembly.directory, name, 'amplify_outputs.json')))!;
  let text = readFileSync(join(assembly.directory, assetDir, 'amplify_outputs.json'), 'utf8');
  const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment'));
  for (const markers of deployment!.Properties.SourceMarkers as Record<string, CfnValue>[]) {
    for (const [marker, value] of Object.entries(markers)) {
      const readable = value.Ref ? `{{Ref:${value.Ref}}}` : `{{GetAtt:${value['Fn::GetAtt']!.join('.')}}}`;
      text = text.replaceAll(marker, readable);
    }
  }
  return JSON.parse(text) as Record<string, unknown>;
}
