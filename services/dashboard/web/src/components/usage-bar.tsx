/** A labelled bar for spend vs budget or usage vs quota; red past 100 %, amber past 80 %. */
export function UsageBar({
  label,
  used,
  limit,
  text,
}: {
  label: string;
  used: number;
  limit: number;
  text: string;
}) {
  const ratio = limit > 0 ? used / limit : used > 0 ? Number.POSITIVE_INFINITY : 0;
  const percent = Number.isFinite(ratio) ? Math.round(ratio * 100) : 100;
  const level = ratio >= 1 ? 'over' : ratio >= 0.8 ? 'warn' : 'ok';
  return (
    <div className="usage-bar">
      <div
        className="usage-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.min(percent, 100)}
        aria-valuetext={`${text} (${percent}%)`}
      >
        <span className={`usage-fill ${level}`} style={{ width: `${Math.min(percent, 100)}%` }} />
      </div>
      <span className="usage-text">
        {text} · {percent}%
      </span>
    </div>
  );
}
