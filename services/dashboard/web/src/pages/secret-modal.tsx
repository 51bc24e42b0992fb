import type { CreatedKey } from '@ollama-gateway/contracts';
import { useRef, useState } from 'react';
import { Modal } from '../components/modal.js';
import { testIds } from '../test-ids.js';

/** Shows a new key's secret once, with Copy (clipboard API, else select-all for Ctrl+C). */
export function SecretModal({ created, onDone }: { created: CreatedKey; onDone: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [copyState, setCopyState] = useState<'idle' | 'copied' | 'manual'>('idle');

  const selectAll = () => {
    input.current?.focus();
    input.current?.select();
  };

  const copy = async () => {
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(created.key);
      setCopyState('copied');
    } catch {
      // No clipboard API (plain http on a LAN address, or permission denied): select the text for Ctrl+C.
      selectAll();
      let copied = false;
      try {
        copied = document.execCommand('copy');
      } catch {
        copied = false;
      }
      setCopyState(copied ? 'copied' : 'manual');
    }
  };

  return (
    <Modal title="Your new API key" onClose={onDone} testId={testIds.keySecretModal}>
      <p className="warning" role="note">
        Copy this key now. It will <strong>not be shown again</strong>: only its prefix ({created.prefix}) is
        stored.
      </p>
      <label className="field">
        <span>Key “{created.name}”</span>
        <input
          ref={input}
          className="secret"
          readOnly
          value={created.key}
          onFocus={(e) => e.currentTarget.select()}
          spellCheck={false}
          data-testid={testIds.keySecret}
        />
      </label>
      <p className="form-success" role="status" aria-live="polite">
        {copyState === 'copied'
          ? 'Copied to the clipboard.'
          : copyState === 'manual'
            ? 'Selected: press Ctrl+C (⌘C) to copy.'
            : ''}
      </p>
      <div className="form-actions">
        <button type="button" className="primary" onClick={copy} data-testid={testIds.keySecretCopy}>
          Copy
        </button>
        <button type="button" onClick={onDone} data-testid={testIds.keySecretDone}>
          I have stored it
        </button>
      </div>
    </Modal>
  );
}
