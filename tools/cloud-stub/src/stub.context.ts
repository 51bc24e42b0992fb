import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  CloudStubConfig,
  StubFaultMode,
  StubFaultSetting,
  StubRequestRecord,
  StubStats,
} from './stub.types.js';

const MAX_RECORDS = 200;

/** The stub's state shared by every handler. */
export class StubContext {
  readonly stats: StubStats = {
    requests: 0,
    byPath: {},
    unauthorized: 0,
    faultsInjected: 0,
    active: 0,
    cancellations: 0,
  };
  readonly records: StubRequestRecord[] = [];
  private fault: StubFaultSetting = { mode: null };

  constructor(public config: CloudStubConfig) {}

  setFaults(setting: StubFaultSetting | null): void {
    this.fault = setting ?? { mode: null };
  }

  get faults(): StubFaultSetting {
    return { ...this.fault };
  }

  /** The fault for this request: a marker wins; otherwise the control setting, whose count it uses up. */
  takeFault(marker: string | undefined): StubFaultMode | null {
    let mode: StubFaultMode | null = (marker as StubFaultMode | undefined) ?? null;
    if (!mode && this.fault.mode) {
      mode = this.fault.mode;
      if (this.fault.count !== undefined) {
        this.fault.count--;
        if (this.fault.count <= 0) this.fault = { mode: null };
      }
    }
    if (mode) this.stats.faultsInjected++;
    return mode;
  }

  record(entry: StubRequestRecord): void {
    this.records.push(entry);
    if (this.records.length > MAX_RECORDS) this.records.shift();
  }

  reset(): void {
    Object.assign(this.stats, {
      requests: 0,
      byPath: {},
      unauthorized: 0,
      faultsInjected: 0,
      active: this.stats.active,
      cancellations: 0,
    });
    this.records.length = 0;
    this.fault = { mode: null };
  }
}

/** One inference request being answered. */
export interface StubCall {
  req: IncomingMessage;
  res: ServerResponse;
  body: Record<string, unknown>;
  record: StubRequestRecord;
  /** Whether the client went away. */
  gone(): boolean;
}

export type StubHandler = (ctx: StubContext, call: StubCall) => Promise<void>;
