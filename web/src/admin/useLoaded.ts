import { useEffect, useState, type DependencyList } from 'react';
import { toApiError } from '../api/errors.js';

/** The state of a load: the last value, the advice of the last failure, and whether one is in flight. */
export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
}

/**
 * Runs `load` on mount and whenever `deps` change, the way the admin pages fetch their
 * data. The last value stays on screen while a new load runs; an answer that arrives after
 * `deps` changed again (or after unmount) is dropped, so a slow old range never overwrites
 * a newer one.
 * @example
 * const { data, error, loading } = useLoaded(() => fetchReport(from, to), [from, to]);
 */
export function useLoaded<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    let current = true;
    setLoading(true);
    load()
      .then((value) => {
        if (!current) return;
        setData(value);
        setError(null);
      })
      .catch((err: unknown) => current && setError(toApiError(err).advice))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
    // `deps` are the caller's: `load` is a fresh closure each render and reads only them.
  }, deps);

  return { data, error, loading };
}
