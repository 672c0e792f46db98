import { Duration } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import type { Schedule } from '../gateway.js';
import { pascal } from './auth.js';
import type { SluiceFunctions } from './functions.js';

export interface SluiceSchedulesProps {
  schedules: Schedule[];
  functions: SluiceFunctions;
}

/**
 * The manifest's timers as EventBridge Scheduler schedules invoking their function (the
 * sweeper that releases expired budget reservations is one). The twin runs the same
 * schedules on a timer.
 *
 * @example
 * ```ts
 * new SluiceSchedules(this, 'Schedules', { schedules: gateway.schedules ?? [], functions });
 * ```
 */
export class SluiceSchedules extends Construct {
  readonly byName = new Map<string, scheduler.Schedule>();

  constructor(scope: Construct, id: string, props: SluiceSchedulesProps) {
    super(scope, id);
    for (const spec of props.schedules) {
      const schedule = new scheduler.Schedule(this, pascal(spec.name), {
        description: `Sluice ${spec.name}: invokes ${spec.functionName} every ${spec.everyMinutes} minute(s)`,
        schedule: scheduler.ScheduleExpression.rate(Duration.minutes(spec.everyMinutes)),
        // A missed tick is harmless: the next one sweeps the same expired reservations.
        target: new LambdaInvoke(props.functions.byName.get(spec.functionName)!, { retryAttempts: 0 }),
      });
      this.byName.set(spec.name, schedule);
    }
  }
}
