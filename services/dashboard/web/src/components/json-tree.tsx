import { useState } from 'react';

/** Pretty, collapsible JSON: objects and arrays fold (top levels open), with a toggle for the raw text. */
export function JsonTree({ value, label, testId }: { value: unknown; label: string; testId?: string }) {
  const [raw, setRaw] = useState(false);
  if (value === null || value === undefined) {
    return (
      <p className="muted" data-testid={testId}>
        No {label.toLowerCase()} stored (bodies are kept only when logging of bodies is enabled).
      </p>
    );
  }
  return (
    <div className="json-view" data-testid={testId}>
      <div className="json-toolbar">
        <button type="button" className="small" onClick={() => setRaw((r) => !r)} aria-pressed={raw}>
          {raw ? 'Tree view' : 'Raw JSON'}
        </button>
      </div>
      {raw ? (
        <pre className="json-raw">{JSON.stringify(value, null, 2)}</pre>
      ) : (
        <div className="json-tree">
          <JsonNode value={value} depth={0} />
        </div>
      )}
    </div>
  );
}

function JsonNode({ value, depth, name }: { value: unknown; depth: number; name?: string }) {
  const prefix = name !== undefined ? <span className="json-key">{name}: </span> : null;
  if (value === null || typeof value !== 'object') {
    return (
      <div className="json-leaf">
        {prefix}
        <span className={`json-${value === null ? 'null' : typeof value}`}>{JSON.stringify(value)}</span>
      </div>
    );
  }
  const entries = Array.isArray(value)
    ? value.map((item, i) => [String(i), item] as const)
    : Object.entries(value as Record<string, unknown>);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) {
    return (
      <div className="json-leaf">
        {prefix}
        {open}
        {close}
      </div>
    );
  }
  return (
    <details className="json-branch" open={depth < 3}>
      <summary>
        {prefix}
        {open}
        <span className="muted">
          {' '}
          {Array.isArray(value)
            ? `${entries.length} ${entries.length === 1 ? 'item' : 'items'}`
            : `${entries.length} ${entries.length === 1 ? 'key' : 'keys'}`}{' '}
        </span>
        {close}
      </summary>
      <div className="json-children">
        {entries.map(([key, child]) => (
          <JsonNode key={key} name={key} value={child} depth={depth + 1} />
        ))}
      </div>
    </details>
  );
}
