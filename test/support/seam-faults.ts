import { injectSeamFault } from '../../local/seam/local-seam';
import { LocalServiceError, type AwsServiceName, type CommandInput } from '../../local/seam/local-service';

export interface SeamCall {
  service: AwsServiceName;
  command: string;
  input: CommandInput;
}

/** An error as the service answers it: its name and the HTTP status the service's API model gives that name. */
export interface ServiceFault {
  name: string;
  status: number;
}

export interface ArmedFault {
  /** How many calls the fault has answered so far. */
  readonly hits: number;
  /** Lets every later call through to the local service again. */
  remove(): void;
}

/**
 * Answers the calls that `matches` selects with `fault` instead of the local service: the first `times` of them, or
 * every one (`times` omitted), as an outage that ends, or one that lasts until the fault is removed.
 */
export function armSeamFault(matches: (call: SeamCall) => boolean, fault: ServiceFault, times?: number): ArmedFault {
  let hits = 0;
  const remove = injectSeamFault((call) => {
    if (!matches(call) || (times !== undefined && hits >= times)) return undefined;
    hits += 1;
    return new LocalServiceError(fault.name, `injected fault ${String(hits)}: ${fault.name}`, {
      status: fault.status,
      fault: fault.status >= 500 ? 'server' : 'client',
    });
  });
  return {
    get hits() {
      return hits;
    },
    remove: () => {
      remove();
    },
  };
}
