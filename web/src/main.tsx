import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { loadConfig } from './config.js';
import './styles.css';

const root = createRoot(document.getElementById('root')!);

loadConfig()
  .then((config) =>
    root.render(
      <StrictMode>
        <App config={config} />
      </StrictMode>,
    ),
  )
  .catch((error: unknown) =>
    root.render(
      <main className="card center">
        <h1>Sluice could not start</h1>
        <p role="alert" className="error">
          {error instanceof Error ? error.message : String(error)}
        </p>
        <p>The app reads its configuration from /amplify_outputs.json, which the local twin and the cloud deploy both serve.</p>
      </main>,
    ),
  );
