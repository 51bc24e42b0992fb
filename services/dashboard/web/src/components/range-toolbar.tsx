import type { Period } from '@ollama-gateway/contracts';
import { type FormEvent, useEffect, useState } from 'react';
import { useRange } from '../hooks/range.js';
import { useConfig } from '../hooks/session.js';
import { PERIOD_OPTIONS } from '../lib/period.js';
import { isoToWallTime, isValidTimeZone, timeZoneChoices } from '../lib/time-zone.js';
import { testIds } from '../test-ids.js';

const OTHER = '__other__';
const browserZone = (() => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
})();

/** Period and time-zone selectors shared by the analytics pages. */
export function RangeToolbar() {
  const { selection, setSelection, error } = useRange();
  const config = useConfig();
  const zones = timeZoneChoices(config.timeZone, browserZone);
  const listed = zones.includes(selection.timeZone);
  const [customZone, setCustomZone] = useState('');
  const [zoneMode, setZoneMode] = useState<'list' | 'other'>('list');
  const [from, setFrom] = useState(selection.customFrom);
  const [to, setTo] = useState(selection.customTo);
  const [zoneError, setZoneError] = useState<string | null>(null);

  useEffect(() => {
    setFrom(selection.customFrom);
    setTo(selection.customTo);
  }, [selection.customFrom, selection.customTo]);

  const onPeriod = (period: Period) => {
    if (period === 'custom' && !selection.customFrom && !selection.customTo) {
      // Start from the last 24 hours, in the selected zone.
      const now = Date.now();
      setSelection({
        ...selection,
        period,
        customFrom: isoToWallTime(new Date(now - 86_400_000).toISOString(), selection.timeZone),
        customTo: isoToWallTime(new Date(now).toISOString(), selection.timeZone),
      });
      return;
    }
    setSelection({ ...selection, period });
  };

  const onZone = (value: string) => {
    if (value === OTHER) {
      setZoneMode('other');
      return;
    }
    setZoneMode('list');
    setZoneError(null);
    setSelection({ ...selection, timeZone: value });
  };

  const applyCustomZone = () => {
    const zone = customZone.trim();
    if (!isValidTimeZone(zone)) {
      setZoneError(`"${zone}" is not a time zone name (try e.g. America/Toronto)`);
      return;
    }
    setZoneError(null);
    setZoneMode('list');
    setSelection({ ...selection, timeZone: zone });
  };

  const applyCustom = (event: FormEvent) => {
    event.preventDefault();
    setSelection({ ...selection, period: 'custom', customFrom: from, customTo: to });
  };

  return (
    <div className="range-toolbar">
      <div className="range-row">
        <label className="field inline">
          <span>Period</span>
          <select
            value={selection.period}
            onChange={(event) => onPeriod(event.target.value as Period)}
            data-testid={testIds.periodSelect}
          >
            {PERIOD_OPTIONS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field inline">
          <span>Time zone</span>
          <select
            value={zoneMode === 'other' ? OTHER : selection.timeZone}
            onChange={(event) => onZone(event.target.value)}
            data-testid={testIds.tzSelect}
          >
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone}
                {zone === config.timeZone ? ' (default)' : zone === browserZone ? ' (this browser)' : ''}
              </option>
            ))}
            {!listed && zoneMode === 'list' ? (
              <option value={selection.timeZone}>{selection.timeZone}</option>
            ) : null}
            <option value={OTHER}>Other…</option>
          </select>
        </label>
        {zoneMode === 'other' ? (
          <form
            className="inline-form"
            onSubmit={(event) => {
              event.preventDefault();
              applyCustomZone();
            }}
          >
            <label className="field inline">
              <span>Zone name</span>
              <input
                value={customZone}
                onChange={(event) => setCustomZone(event.target.value)}
                placeholder="Area/City"
                spellCheck={false}
                data-testid={testIds.tzCustom}
              />
            </label>
            <button type="submit" className="small">
              Use zone
            </button>
          </form>
        ) : null}
      </div>
      {selection.period === 'custom' ? (
        <form className="range-row" onSubmit={applyCustom}>
          <label className="field inline">
            <span>From</span>
            <input
              type="datetime-local"
              value={from}
              onChange={(event) => setFrom(event.target.value)}
              required
              data-testid={testIds.customFrom}
            />
          </label>
          <label className="field inline">
            <span>To</span>
            <input
              type="datetime-local"
              value={to}
              onChange={(event) => setTo(event.target.value)}
              required
              data-testid={testIds.customTo}
            />
          </label>
          <button type="submit" className="small" data-testid={testIds.customApply}>
            Apply
          </button>
          <span className="muted">in {selection.timeZone}</span>
        </form>
      ) : null}
      {zoneError || error ? (
        <p className="form-error" role="alert" data-testid={testIds.rangeError}>
          {zoneError ?? error}
        </p>
      ) : null}
    </div>
  );
}
