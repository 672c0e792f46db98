import type { Stack } from 'aws-cdk-lib';
import { NagSuppressions, type NagPackSuppression } from 'cdk-nag';

/**
 * Justified cdk-nag suppressions for the helper functions and roles aws-cdk-lib creates once
 * per stack on our behalf (their code, runtime and managed policies are aws-cdk-lib's, not
 * ours). Matched by the construct id prefix aws-cdk-lib gives them.
 */
export const CDK_SINGLETON_SUPPRESSIONS: Readonly<Record<string, NagPackSuppression[]>> = {
  // Sets the retention of the AppSync APIs' log groups, which AppSync itself creates.
  LogRetention: [
    { id: 'AwsSolutions-IAM4', reason: 'aws-cdk-lib LogRetention handler: AWSLambdaBasicExecutionRole only writes its own logs.' },
    { id: 'AwsSolutions-IAM5', reason: 'aws-cdk-lib LogRetention handler sets retention on log groups whose names are only known after deploy (Resource::*).' },
  ],
  // Uploads web/dist and amplify_outputs.json to the site bucket.
  'Custom::CDKBucketDeployment': [
    { id: 'AwsSolutions-IAM4', reason: 'aws-cdk-lib BucketDeployment handler: AWSLambdaBasicExecutionRole only writes its own logs.' },
    {
      id: 'AwsSolutions-IAM5',
      reason: 'aws-cdk-lib BucketDeployment handler copies every object of the CDK asset bucket into the site bucket (bucket/*) and invalidates the distribution.',
    },
    { id: 'AwsSolutions-L1', reason: 'The BucketDeployment handler runtime is chosen and upgraded by aws-cdk-lib.' },
  ],
  // Empties the web buckets on destroy so `cdk destroy` completes.
  'Custom::S3AutoDeleteObjectsCustomResourceProvider': [
    { id: 'AwsSolutions-IAM4', reason: 'aws-cdk-lib auto-delete handler: AWSLambdaBasicExecutionRole only writes its own logs.' },
    { id: 'AwsSolutions-L1', reason: 'The auto-delete handler runtime is chosen and upgraded by aws-cdk-lib.' },
  ],
  // The role EventBridge Scheduler assumes to invoke a scheduled function.
  SchedulerRoleForTarget: [
    {
      id: 'AwsSolutions-IAM5',
      reason: 'Lambda invoke grants cover the scheduled function and its versions (<fn.Arn>:*), nothing else.',
      appliesTo: [{ regex: '/^Resource::<.+\\.Arn>:\\*$/' }],
    },
  ],
};

/** Applies {@link CDK_SINGLETON_SUPPRESSIONS} to the matching children of `stack`; call it last. */
export function suppressCdkSingletons(stack: Stack): void {
  for (const child of stack.node.children) {
    for (const [prefix, suppressions] of Object.entries(CDK_SINGLETON_SUPPRESSIONS)) {
      if (child.node.id.startsWith(prefix)) NagSuppressions.addResourceSuppressions(child, suppressions, true);
    }
  }
}
