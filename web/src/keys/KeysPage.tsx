import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { graphql } from '../api/client.js';
import { required } from '../api/errors.js';
import { CREATE_API_KEY, MY_API_KEYS, RENAME_API_KEY, REVOKE_API_KEY, type ApiKey } from '../api/operations.js';
import { formatUsd, formatWhen } from '../format.js';

/**
 * The signed-in user's API keys for the OpenAI-compatible API: create one (its secret is
 * shown once, here), rename, revoke. docs/openai-api.md says how to use them.
 */
export function KeysPage() {
  const [keys, setKeys] = useState<ApiKey[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [secret, setSecret] = useState<{ name: string; value: string } | undefined>(undefined);

  const reload = useCallback(async () => {
    try {
      setKeys((await graphql(MY_API_KEYS)).myApiKeys);
    } catch (failure) {
      setError((failure as Error).message);
    }
  }, []);
  useEffect(() => void reload(), [reload]);

  async function act(work: () => Promise<unknown>) {
    setError(undefined);
    try {
      await work();
      await reload();
    } catch (failure) {
      setError((failure as Error).message);
    }
  }

  return (
    <section className="card keys-page">
      <h1>API keys</h1>
      <p className="muted">
        Keys for the OpenAI-compatible API at <code>{`${location.origin}/v1`}</code>: use one as the <code>apiKey</code> of the <code>openai</code> SDK,
        LangChain or curl. A key acts as you, under your budget; it may have its own smaller budget per day and an expiry.
      </p>
      <CreateKeyForm onCreate={(input) => act(async () => {
        const created = required((await graphql(CREATE_API_KEY, { input })).createApiKey, 'createApiKey');
        setSecret({ name: created.key.name, value: created.secret });
      })} />
      {secret && (
        <div className="notice" role="status" data-testid="new-key">
          <p>
            The key <strong>{secret.name}</strong>. Copy it now: it is not shown again, and Sluice keeps only its hash.
          </p>
          <code className="secret" data-testid="new-key-secret">{secret.value}</code>
          <button type="button" className="secondary" onClick={() => void navigator.clipboard?.writeText(secret.value)}>
            Copy
          </button>
          <button type="button" className="secondary" onClick={() => setSecret(undefined)}>
            Done
          </button>
        </div>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      {keys === undefined ? (
        <p className="muted">Loading…</p>
      ) : keys.length === 0 ? (
        <p className="muted">No keys yet.</p>
      ) : (
        <table className="keys" data-testid="keys-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Budget / day</th>
              <th scope="col">Used today</th>
              <th scope="col">Status</th>
              <th scope="col"><span className="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id} data-testid="key-row" data-key-id={key.id} data-active={key.active}>
                <th scope="row">{key.name}</th>
                <td><code>{key.prefix}_…</code></td>
                <td>{formatWhen(key.createdAt)}</td>
                <td>{key.expiresAt ? formatWhen(key.expiresAt) : 'never'}</td>
                <td>{key.dailyLimitUsd === null ? 'your budget' : formatUsd(key.dailyLimitUsd)}</td>
                <td>{formatUsd(key.usedTodayUsd)}</td>
                <td>{key.revokedAt ? 'revoked' : key.active ? 'active' : 'expired'}</td>
                <td>
                  {!key.revokedAt && (
                    <>
                      <button
                        type="button"
                        className="secondary"
                        onClick={() => {
                          const name = prompt('New name for this key', key.name);
                          if (name) void act(() => graphql(RENAME_API_KEY, { keyId: key.id, name }));
                        }}
                      >
                        Rename
                      </button>
                      <button type="button" className="danger" aria-label={`Revoke ${key.name}`} onClick={() => void act(() => graphql(REVOKE_API_KEY, { keyId: key.id }))}>
                        Revoke
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function CreateKeyForm({ onCreate }: { onCreate: (input: { name: string; dailyLimitUsd?: number; expiresAt?: string }) => Promise<void> }) {
  const [name, setName] = useState('');
  const [budget, setBudget] = useState('');
  const [expires, setExpires] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    await onCreate({
      name: name.trim(),
      ...(budget ? { dailyLimitUsd: Number(budget) } : {}),
      // A date means "until the end of that UTC day".
      ...(expires ? { expiresAt: new Date(`${expires}T23:59:59.000Z`).toISOString() } : {}),
    });
    setBusy(false);
    setName('');
    setBudget('');
    setExpires('');
  }

  return (
    <form className="key-form" onSubmit={(event) => void submit(event)}>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} placeholder="laptop" />
      </label>
      <label>
        Budget per day (USD, optional)
        <input type="number" min="0.000001" step="any" value={budget} onChange={(e) => setBudget(e.target.value)} />
      </label>
      <label>
        Expires (optional)
        <input type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
      </label>
      <button type="submit" disabled={busy || name.trim().length === 0}>
        Create key
      </button>
    </form>
  );
}
