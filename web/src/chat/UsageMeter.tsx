import { useEffect, useState } from 'react';
import { graphql } from '../api/client.js';
import { toApiError } from '../api/errors.js';
import { MY_USAGE, type Usage, type UsagePeriod } from '../api/operations.js';
import { formatUsd } from '../format.js';

/** Today's and this month's spend against the limits; refetched whenever `refreshKey` changes. */
export function UsageMeter({ refreshKey }: { refreshKey: number }) {
  const [usage, setUsage] = useState<Usage | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    graphql(MY_USAGE)
      .then(({ myUsage }) => current && (setUsage(myUsage), setError(null)))
      .catch((err: unknown) => current && setError(toApiError(err).advice));
    return () => {
      current = false;
    };
  }, [refreshKey]);

  return (
    <section className="usage-meter" aria-labelledby="usage-title">
      <h2 id="usage-title" className="visually-hidden">
        Your usage
      </h2>
      {error && <p className="error">{error}</p>}
      {usage && (
        <>
          <Period id="usage-day" label="Today" period={usage.day} />
          <Period id="usage-month" label="This month" period={usage.month} />
        </>
      )}
    </section>
  );
}

function Period({ id, label, period }: { id: string; label: string; period: UsagePeriod }) {
  const limit = period.limitUsd;
  const used = period.spentUsd + period.reservedUsd;
  return (
    <div className="usage-period" data-testid={id} data-spent-usd={period.spentUsd}>
      <label htmlFor={`${id}-meter`}>
        {label}: <strong>{formatUsd(period.spentUsd)}</strong>
        {limit !== null ? ` of ${formatUsd(limit)}` : ' (no limit)'}
      </label>
      {limit !== null && limit > 0 && (
        <meter id={`${id}-meter`} min={0} max={limit} low={limit * 0.7} high={limit * 0.9} optimum={0} value={Math.min(used, limit)}>
          {formatUsd(used)}
        </meter>
      )}
      <span className="muted small">
        {period.requests} requests · resets {new Date(period.resetsAt).toLocaleString()}
      </span>
    </div>
  );
}
