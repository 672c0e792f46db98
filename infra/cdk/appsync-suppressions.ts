import { NagSuppressions } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Justified cdk-nag suppressions for the roles aws-cdk-lib creates inside an AppSync API
 * construct: the logging role and each data source's service role.
 *
 * @example
 * ```ts
 * suppressAppSyncRoleFindings(this.api);
 * ```
 */
export function suppressAppSyncRoleFindings(api: IConstruct): void {
  NagSuppressions.addResourceSuppressions(
    api,
    [
      {
        id: 'AwsSolutions-IAM4',
        reason: 'AWSAppSyncPushToCloudWatchLogs lets AppSync write only its own API logs; it is the policy AWS documents for AppSync logging.',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSAppSyncPushToCloudWatchLogs'],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "Data source roles reach one table and its own indexes (<table.Arn>/index/*) or invoke one function and its versions (<fn.Arn>:*), as the manifest declares.",
        appliesTo: [{ regex: '/^Resource::<.+\\.Arn>\\/index\\/\\*$/' }, { regex: '/^Resource::<.+\\.Arn>:\\*$/' }],
      },
    ],
    true,
  );
}
