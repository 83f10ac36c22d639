import { useState } from 'preact/hooks';
import { api, describeApiError, type Schemas, session } from '../api/client';

export type Whoami = Schemas['Whoami'];

/** Checks a key with GET /whoami; only a key the service accepts is kept (sessionStorage). */
export async function checkKey(key: string): Promise<{ who?: Whoami; error?: string }> {
  session.set(key);
  const { data, error, response } = await api.GET('/pyaudit/api/whoami');
  if (data) return { who: data };
  session.clear();
  return { error: describeApiError(error, response.status) };
}

export function SignIn({ onSignedIn }: { onSignedIn: (who: Whoami) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const result = await checkKey(key.trim());
    setBusy(false);
    if (result.who) onSignedIn(result.who);
    else setError(result.error ?? 'Sign-in failed');
  };
  return (
    <form class="signin" onSubmit={submit} aria-labelledby="signin-title">
      <h2 id="signin-title">Sign in</h2>
      <p>Paste an API key. It is kept in this tab only (sessionStorage) and sent as the CSIQ-APIKEY header.</p>
      <label for="api-key">API key</label>
      <input
        id="api-key"
        name="api-key"
        type="password"
        autoComplete="off"
        required
        value={key}
        onInput={(e) => setKey(e.currentTarget.value)}
      />
      <button type="submit" disabled={busy || key.trim() === ''}>
        {busy ? 'Checking…' : 'Sign in'}
      </button>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </form>
  );
}

export function WhoamiBar({ who, onSignOut }: { who: Whoami; onSignOut: () => void }) {
  return (
    <section class="whoami" aria-label="Signed in key">
      <span>
        Key <strong data-testid="whoami-name">{who.name}</strong>
      </span>
      <span>scopes: {who.scopes.join(', ')}</span>
      <span>companies: {who.companies === null ? 'all' : who.companies.join(', ')}</span>
      <button type="button" onClick={onSignOut}>
        Sign out
      </button>
    </section>
  );
}
