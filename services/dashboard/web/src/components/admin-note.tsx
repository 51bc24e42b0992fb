import { useConfig } from '../hooks/session.js';
import { testIds } from '../test-ids.js';

/** Shown instead of admin actions when the server cannot perform them. */
export function AdminNote() {
  const { adminEnabled } = useConfig();
  if (adminEnabled) return null;
  return (
    <p className="note" data-testid={testIds.adminDisabledNote}>
      Admin actions are disabled: set <code>ADMIN_TOKEN</code> to enable admin actions.
    </p>
  );
}
