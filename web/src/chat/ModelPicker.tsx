import type { Model } from '../api/operations.js';
import { formatPricePerMillion } from '../format.js';

export interface ModelPickerProps {
  models: Model[];
  value: string;
  onChange(modelId: string): void;
  disabled?: boolean;
}

/** The models the user may use (the API lists only those), with their prices. */
export function ModelPicker({ models, value, onChange, disabled }: ModelPickerProps) {
  const selected = models.find((m) => m.id === value);
  return (
    <div className="model-picker">
      <label htmlFor="model">Model</label>
      <select id="model" value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled || models.length === 0}>
        {models.map((m) => (
          <option key={m.id} value={m.id}>
            {m.label} ({m.provider})
          </option>
        ))}
      </select>
      {selected && (
        <p className="muted price" id="model-price" aria-live="polite">
          Input {formatPricePerMillion(selected.price.inputUsd)} · Output {formatPricePerMillion(selected.price.outputUsd)} tokens
        </p>
      )}
    </div>
  );
}
